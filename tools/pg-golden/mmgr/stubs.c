/*
 * stubs.c: the backend symbols that PostgreSQL's src/backend/utils/mmgr files (mcxt.c, aset.c,
 * generation.c, slab.c, bump.c, alignedalloc.c) need from the rest of the server, for programs that
 * link those files alone: the golden-vector/differential driver beside this file and
 * tools/pg-bench's wbench.c. Self-contained (no symbol from any driver).
 *
 * The error machinery is the part that matters: errstart/errmsg/errdetail/errfinish keep the
 * message, and an ERROR jumps back to the caller's sigsetjmp through PG_exception_stack, so one
 * failing palloc ends one operation, not the process (elog.c's longjmp, without its recursion
 * guards, error stack or memory-context switch to ErrorContext, none of which these files need).
 */
#include "postgres.h"

#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "stubs.h"

/* port.h maps these to pg_ versions, which this file defines in terms of libc's. */
#undef vsnprintf
#undef vfprintf
#undef vprintf
#undef fprintf

volatile sig_atomic_t InterruptPending = false;
volatile sig_atomic_t LogMemoryContextPending = false;
int			MyProcPid = 1;
sigjmp_buf *PG_exception_stack = NULL;
ErrorContextCallback *error_context_stack = NULL;

#ifdef USE_ASSERT_CHECKING
/* an assertion build (the driver's "cas" variant): a failed Assert aborts, as in a backend */
volatile uint32 CritSectionCount = 0;

void
ExceptionalCondition(const char *conditionName, const char *fileName, int lineNumber)
{
	fprintf(stderr, "TRAP: failed Assert(\"%s\"), File: \"%s\", Line: %d\n", conditionName, fileName, lineNumber);
	abort();
}
#endif

char		stub_error_message[STUB_MESSAGE_MAX];
char		stub_error_detail[STUB_MESSAGE_MAX];
void		(*stub_warning_sink) (const char *message) = NULL;

/* the report being composed (only one at a time: nothing here reports while reporting) */
static int	pending_level;
static char pending_message[STUB_MESSAGE_MAX];
static char pending_detail[STUB_MESSAGE_MAX];

static bool
start_report(int elevel)
{
	/* below WARNING nothing is kept: tell the caller to skip composing the report */
	if (elevel < WARNING)
		return false;
	pending_level = elevel;
	pending_message[0] = '\0';
	pending_detail[0] = '\0';
	return true;
}

bool
errstart(int elevel, const char *domain)
{
	return start_report(elevel);
}

bool
errstart_cold(int elevel, const char *domain)
{
	return start_report(elevel);
}

void
errfinish(const char *filename, int lineno, const char *funcname)
{
	if (pending_level >= ERROR)
	{
		snprintf(stub_error_message, sizeof(stub_error_message), "%s", pending_message);
		snprintf(stub_error_detail, sizeof(stub_error_detail), "%s", pending_detail);
		if (PG_exception_stack != NULL)
			siglongjmp(*PG_exception_stack, 1);
		fprintf(stderr, "ERROR (no handler) at %s:%d: %s\n", filename, lineno, pending_message);
		abort();
	}
	if (stub_warning_sink != NULL)
		stub_warning_sink(pending_message);
	else
		fprintf(stderr, "WARNING:  %s\n", pending_message);
}

int
errcode(int sqlerrcode)
{
	return 0;
}

/* formats the caller's printf-style arguments into one of the pending buffers */
#define FORMAT_INTO(buffer) \
	do { \
		va_list		a; \
		va_start(a, fmt); \
		vsnprintf((buffer), STUB_MESSAGE_MAX, fmt, a); \
		va_end(a); \
	} while (0)

int
errmsg(const char *fmt,...)
{
	FORMAT_INTO(pending_message);
	return 0;
}

int
errmsg_internal(const char *fmt,...)
{
	FORMAT_INTO(pending_message);
	return 0;
}

int
errdetail(const char *fmt,...)
{
	FORMAT_INTO(pending_detail);
	return 0;
}

int
errhidecontext(bool hide_ctx)
{
	return 0;
}

int
errhidestmt(bool hide_stmt)
{
	return 0;
}

void
pg_re_throw(void)
{
	if (PG_exception_stack != NULL)
		siglongjmp(*PG_exception_stack, 1);
	abort();
}

bool
stack_is_too_deep(void)
{
	return false;
}

int
pg_mbcliplen(const char *mbstr, int len, int limit)
{
	return len < limit ? len : limit;
}

int
pg_fprintf(FILE *stream, const char *fmt,...)
{
	va_list		a;
	int			r;

	va_start(a, fmt);
	r = vfprintf(stream, fmt, a);
	va_end(a);
	return r;
}

int
pg_printf(const char *fmt,...)
{
	va_list		a;
	int			r;

	va_start(a, fmt);
	r = vprintf(fmt, a);
	va_end(a);
	return r;
}

int
pg_snprintf(char *str, size_t count, const char *fmt,...)
{
	va_list		a;
	int			r;

	va_start(a, fmt);
	r = vsnprintf(str, count, fmt, a);
	va_end(a);
	return r;
}

int
pg_vsnprintf(char *str, size_t count, const char *fmt, va_list args)
{
	return vsnprintf(str, count, fmt, args);
}
