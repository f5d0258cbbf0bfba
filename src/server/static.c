/*
 * static.c - the web interface's files: only regular files under the web directory, never a
 * dot-file, never a path with "..", never a symbolic link leading out of it.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "http.h"
#include "mmis/strbuf.h"

static char *web_root;    /* realpath of the web directory, NULL when none */
static size_t web_root_len;

enum mmis_err static_init(const char *dir, struct mmis_error *err)
{
	struct stat st;

	static_free();
	if (!dir || !*dir)
		return MMIS_OK;
	web_root = realpath(dir, NULL);
	if (!web_root || stat(web_root, &st) || !S_ISDIR(st.st_mode)) {
		int e = errno;
		static_free();
		return mmis_error_set(err, MMIS_ENOTFOUND, NULL, "web directory %s: %s", dir,
				      e ? strerror(e) : "not a directory");
	}
	web_root_len = strlen(web_root);
	return MMIS_OK;
}

void static_free(void)
{
	free(web_root);
	web_root = NULL;
	web_root_len = 0;
}

static const struct {
	const char *ext;
	const char *type;
} content_types[] = {
	{ ".html", "text/html; charset=utf-8" },
	{ ".css", "text/css; charset=utf-8" },
	{ ".js", "text/javascript; charset=utf-8" },
	{ ".mjs", "text/javascript; charset=utf-8" },
	{ ".json", "application/json" },
	{ ".map", "application/json" },
	{ ".svg", "image/svg+xml" },
	{ ".png", "image/png" },
	{ ".ico", "image/x-icon" },
	{ ".woff2", "font/woff2" },
	{ ".txt", "text/plain; charset=utf-8" },
	{ ".webmanifest", "application/manifest+json" },
};

static const char *content_type_of(const char *path)
{
	const char *dot = strrchr(path, '.');
	const char *slash = strrchr(path, '/');

	if (dot && (!slash || dot > slash))
		for (size_t i = 0; i < sizeof(content_types) / sizeof(content_types[0]); i++)
			if (!strcasecmp(dot, content_types[i].ext))
				return content_types[i].type;
	return "application/octet-stream";
}

/* Whether every segment of `path` is a plain name: no "", ".", "..", dot-files or backslashes. */
static bool path_is_plain(const char *path)
{
	const char *p = path;

	if (*p != '/')
		return false;
	while (*p == '/') {
		const char *seg = p + 1;
		size_t n = strcspn(seg, "/");
		if (n == 0)
			return seg[0] == '\0' && p == path; /* only "/" itself may end in '/' */
		if (seg[0] == '.')
			return false;
		for (size_t i = 0; i < n; i++)
			if (seg[i] == '\\' || (unsigned char)seg[i] < 0x20)
				return false;
		p = seg + n;
	}
	return *p == '\0';
}

bool static_open(const char *path, struct static_file *out)
{
	struct strbuf sb;
	struct stat st;
	char *real;
	int fd;

	if (!web_root || !path_is_plain(path))
		return false;
	strbuf_init(&sb, PATH_MAX);
	strbuf_addstr(&sb, web_root);
	strbuf_addstr(&sb, path);
	if (!strcmp(path, "/"))
		strbuf_addstr(&sb, "index.html");
	if (strbuf_error(&sb)) {
		strbuf_release(&sb);
		return false;
	}
	real = realpath(strbuf_str(&sb), NULL);
	strbuf_release(&sb);
	if (!real)
		return false;
	/* Symbolic links may point within the web directory, never out of it. */
	if (strncmp(real, web_root, web_root_len) || real[web_root_len] != '/') {
		free(real);
		return false;
	}
	fd = open(real, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
	if (fd < 0) {
		free(real);
		return false;
	}
	if (fstat(fd, &st) || !S_ISREG(st.st_mode)) {
		close(fd);
		free(real);
		return false;
	}
	out->fd = fd;
	out->size = (uint64_t)st.st_size;
	out->content_type = content_type_of(real);
	free(real);
	return true;
}
