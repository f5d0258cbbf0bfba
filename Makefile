# The thin top level: every real rule is in meson.build. See README.md.
BUILD ?= build
CHECK_BUILD ?= build-asan
DB ?= ./mmis.db

.PHONY: all deps build run check bench fuzz clean

all: build

deps:
	@tools/deps.sh all

$(BUILD)/build.ninja:
	meson setup $(BUILD) --buildtype=debugoptimized

build: deps $(BUILD)/build.ninja
	@ninja -C $(BUILD)

LISTEN ?= 127.0.0.1:8080
AUDIT_KEY ?= ./mmis-audit.key

# Creates ./mmis.db with the demo agencies and users when missing (docs/demo.md), upgrades an
# existing one, and serves it on http://$(LISTEN)/ until Ctrl-C.
run: build
	@test ! -e $(DB) || $(BUILD)/src/mmis --db $(DB) --audit-key $(AUDIT_KEY) init
	@$(BUILD)/src/mmis --db $(DB) --audit-key $(AUDIT_KEY) demo --listen $(LISTEN)

$(CHECK_BUILD)/build.ninja:
	meson setup $(CHECK_BUILD) --buildtype=debug -Db_sanitize=address,undefined -Db_lundef=false

# Everything under AddressSanitizer and UndefinedBehaviorSanitizer, ending with "N passed, N failed".
# The optimised tree is built too: gcc warns about some things only when it optimises.
check: build $(CHECK_BUILD)/build.ninja
	@ninja -C $(CHECK_BUILD)
	@tests/run.sh $(CHECK_BUILD)

bench: build
	@bench/run.sh $(BUILD)

# libFuzzer harnesses (clang), each run for FUZZ_SECONDS on its corpus in tests/fuzz/corpus/.
FUZZ_BUILD ?= build-fuzz
FUZZ_SECONDS ?= 60
$(FUZZ_BUILD)/build.ninja:
	CC=clang meson setup $(FUZZ_BUILD) --buildtype=debugoptimized -Dfuzz=true -Dtests=false \
		-Db_sanitize=address,undefined -Db_lundef=false

fuzz: deps $(FUZZ_BUILD)/build.ninja
	@ninja -C $(FUZZ_BUILD)
	@tools/fuzz.sh $(FUZZ_BUILD) $(FUZZ_SECONDS)

clean:
	rm -rf $(BUILD) $(CHECK_BUILD) $(FUZZ_BUILD)
