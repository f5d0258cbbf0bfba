# The thin top level: every real rule is in meson.build. See README.md.
BUILD ?= build
CHECK_BUILD ?= build-asan
DB ?= ./mmis.db

.PHONY: all deps build run check bench clean

all: build

deps:
	@tools/deps.sh all

$(BUILD)/build.ninja:
	meson setup $(BUILD) --buildtype=debugoptimized

build: deps $(BUILD)/build.ninja
	@ninja -C $(BUILD)

# Until the server exists this creates (or upgrades) the database and says what it did.
run: build
	@$(BUILD)/src/mmis --db $(DB) init
	@$(BUILD)/src/mmis --db $(DB) db status

$(CHECK_BUILD)/build.ninja:
	meson setup $(CHECK_BUILD) --buildtype=debug -Db_sanitize=address,undefined -Db_lundef=false

# Everything under AddressSanitizer and UndefinedBehaviorSanitizer, ending with "N passed, N failed".
check: deps $(CHECK_BUILD)/build.ninja
	@ninja -C $(CHECK_BUILD)
	@tests/run.sh $(CHECK_BUILD)

bench: build
	@bench/run.sh $(BUILD)

clean:
	rm -rf $(BUILD) $(CHECK_BUILD)
