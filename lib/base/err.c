/* err.c - the error enum's texts and the detailed error. */
#include "mmis/err.h"

#include <stdio.h>
#include <string.h>

static const char *const err_text[MMIS_ERR__COUNT] = {
	[MMIS_OK] = "success",
	[MMIS_ENOMEM] = "out of memory",
	[MMIS_EINVAL] = "invalid data",
	[MMIS_ENOTFOUND] = "not found",
	[MMIS_EDENIED] = "permission denied",
	[MMIS_ECONFLICT] = "conflict with the current state",
	[MMIS_EIO] = "input/output error",
	[MMIS_EDB] = "database error",
	[MMIS_EVERSION] = "database made by a newer version of mmis",
	[MMIS_ETOOBIG] = "limit exceeded",
	[MMIS_EUNSUPPORTED] = "not supported",
	[MMIS_EBUSY] = "busy",
	[MMIS_EAUTH] = "authentication failed",
};

const char *mmis_strerror(enum mmis_err code)
{
	if ((unsigned)code >= MMIS_ERR__COUNT || !err_text[code])
		return "unknown error";
	return err_text[code];
}

void mmis_error_clear(struct mmis_error *e)
{
	if (!e)
		return;
	e->code = MMIS_OK;
	e->field[0] = '\0';
	e->message[0] = '\0';
}

enum mmis_err mmis_error_setv(struct mmis_error *e, enum mmis_err code, const char *field,
			      const char *fmt, va_list ap)
{
	if (!e)
		return code;
	e->code = code;
	snprintf(e->field, sizeof(e->field), "%s", field ? field : "");
	if (fmt)
		vsnprintf(e->message, sizeof(e->message), fmt, ap);
	else
		e->message[0] = '\0';
	return code;
}

enum mmis_err mmis_error_set(struct mmis_error *e, enum mmis_err code, const char *field,
			     const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	mmis_error_setv(e, code, field, fmt, ap);
	va_end(ap);
	return code;
}

enum mmis_err mmis_error_prefix(struct mmis_error *e, const char *fmt, ...)
{
	char prefix[MMIS_ERROR_MESSAGE_MAX];
	char old[MMIS_ERROR_MESSAGE_MAX];
	va_list ap;

	if (!e)
		return MMIS_OK;
	va_start(ap, fmt);
	vsnprintf(prefix, sizeof(prefix), fmt, ap);
	va_end(ap);
	snprintf(old, sizeof(old), "%s", mmis_error_text(e));
	/* Using the result tells gcc that a cut message is expected (-Wformat-truncation). */
	if (snprintf(e->message, sizeof(e->message), "%s: %s", prefix, old) < 0)
		e->message[0] = '\0';
	return e->code;
}

const char *mmis_error_text(const struct mmis_error *e)
{
	if (!e)
		return mmis_strerror(MMIS_OK);
	return e->message[0] ? e->message : mmis_strerror(e->code);
}

enum mmis_err mmis_oom(struct mmis_error *e)
{
	return mmis_error_set(e, MMIS_ENOMEM, NULL, "out of memory");
}
