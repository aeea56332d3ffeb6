/*
 * stubs.c: the backend symbols PostgreSQL's dsa.c and freepage.c need from the rest of the server,
 * for tools/pg-golden/dsa's driver: one process, one backend.
 *
 *   - DSM: dsm_create hands out page-aligned zeroed memory (as a fresh POSIX segment is) with
 *     handles 1, 2, 3, ... in creation order; dsm_detach frees it. There is one backend, so a
 *     segment is mapped exactly while it exists: attach and find_mapping look it up by handle, and
 *     pinning and detach callbacks have nothing to do.
 *   - LWLocks: no-ops (a single process never waits).
 *   - palloc/pfree: malloc/free (dsa.c pallocs only its backend-local dsa_area).
 *   - ereport/elog: an ERROR keeps its message and detail and siglongjmps to the driver's
 *     stub_error_jump, so one failing dsa_allocate ends one operation, not the process.
 *   - fprintf(stderr) from dsa_dump appends to stub_dump (the driver prints it normalised).
 */
#include "postgres.h"
#include "storage/dsm.h"
#include "storage/lwlock.h"
#include "utils/resowner.h"
#include "lib/stringinfo.h"
#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "stubs.h"
/* port.h maps these to pg_ versions, which this file defines in terms of libc's */
#undef vsnprintf
#undef vfprintf
#undef vprintf
#undef fprintf

ResourceOwner CurrentResourceOwner = NULL;

/* ---- DSM over malloc ---- */

struct dsm_segment
{
	dsm_handle	handle;			/* 0: slot unused */
	void	   *address;
	Size		size;
};

#define STUB_MAX_SEGMENTS 4096
static struct dsm_segment segments[STUB_MAX_SEGMENTS];
static dsm_handle next_handle = 1;

dsm_segment *
dsm_create(Size size, int flags)
{
	for (int i = 0; i < STUB_MAX_SEGMENTS; i++)
	{
		if (segments[i].handle != 0)
			continue;
		segments[i].size = size;
		segments[i].address = aligned_alloc(8192, (size + 8191) & ~(Size) 8191);
		if (segments[i].address == NULL)
		{
			fprintf(stderr, "stub dsm_create: no memory for %zu bytes\n", size);
			abort();
		}
		memset(segments[i].address, 0, size);
		segments[i].handle = next_handle++;
		return &segments[i];
	}
	fprintf(stderr, "stub dsm_create: more than %d segments\n", STUB_MAX_SEGMENTS);
	abort();
}

dsm_segment *
dsm_find_mapping(dsm_handle handle)
{
	for (int i = 0; i < STUB_MAX_SEGMENTS; i++)
		if (segments[i].handle == handle && handle != 0)
			return &segments[i];
	return NULL;
}

dsm_segment *
dsm_attach(dsm_handle handle)
{
	return dsm_find_mapping(handle);
}

void
dsm_detach(dsm_segment *seg)
{
	free(seg->address);
	seg->address = NULL;
	seg->handle = 0;
}

void	   *dsm_segment_address(dsm_segment *seg) { return seg->address; }
dsm_handle	dsm_segment_handle(dsm_segment *seg) { return seg->handle; }
void		dsm_pin_segment(dsm_segment *seg) { }
void		dsm_unpin_segment(dsm_handle handle) { }
void		dsm_pin_mapping(dsm_segment *seg) { }
void		on_dsm_detach(dsm_segment *seg, on_dsm_detach_callback function, Datum arg) { }

/* ---- one process: locks never wait ---- */

void		LWLockInitialize(LWLock *lock, int tranche_id) { }
bool		LWLockAcquire(LWLock *lock, LWLockMode mode) { return true; }
void		LWLockRelease(LWLock *lock) { }

/* ---- memory, stack ---- */

void	   *palloc(Size size) { return malloc(size); }
void		pfree(void *pointer) { free(pointer); }
void		check_stack_depth(void) { }

/* freepage.c's FreePageManagerDump, never called */
void		appendStringInfo(StringInfo s, const char *fmt,...) { abort(); }
void		appendStringInfoChar(StringInfo s, char c) { abort(); }
void		appendStringInfoString(StringInfo s, const char *t) { abort(); }
void		initStringInfo(StringInfo s) { abort(); }

/* ---- errors ---- */

sigjmp_buf *stub_error_jump = NULL;
char		stub_error_message[STUB_MESSAGE_MAX];
char		stub_error_detail[STUB_MESSAGE_MAX];
static int	pending_level;

bool
errstart_cold(int elevel, const char *domain)
{
	if (elevel < ERROR)
		return false;
	pending_level = elevel;
	stub_error_message[0] = stub_error_detail[0] = '\0';
	return true;
}

void
errfinish(const char *filename, int lineno, const char *funcname)
{
	if (pending_level > ERROR || stub_error_jump == NULL)
	{
		fprintf(stderr, "level %d at %s:%d (%s): %s\n", pending_level, filename, lineno, funcname, stub_error_message);
		abort();
	}
	siglongjmp(*stub_error_jump, 1);
}

int			errcode(int sqlerrcode) { return 0; }

#define FORMAT_INTO(buffer) \
	do { va_list a; va_start(a, fmt); vsnprintf((buffer), STUB_MESSAGE_MAX, fmt, a); va_end(a); } while (0)

int			errmsg(const char *fmt,...) { FORMAT_INTO(stub_error_message); return 0; }
int			errmsg_internal(const char *fmt,...) { FORMAT_INTO(stub_error_message); return 0; }
int			errdetail(const char *fmt,...) { FORMAT_INTO(stub_error_detail); return 0; }

/* ---- printf (the driver's, through port.h) and dsa_dump's output ---- */

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

char		stub_dump[STUB_DUMP_MAX];
size_t		stub_dump_length;

int
pg_fprintf(FILE *stream, const char *fmt,...)
{
	va_list		a;
	int			r;

	va_start(a, fmt);
	if (stream == stderr && stub_dump_length < STUB_DUMP_MAX)
	{
		r = vsnprintf(stub_dump + stub_dump_length, STUB_DUMP_MAX - stub_dump_length, fmt, a);
		if (r > 0)
			stub_dump_length += (size_t) r;
		if (stub_dump_length >= STUB_DUMP_MAX)
		{
			fprintf(stderr, "stub pg_fprintf: dsa_dump longer than %d bytes\n", STUB_DUMP_MAX);
			abort();
		}
	}
	else
		r = vfprintf(stream, fmt, a);
	va_end(a);
	return r;
}
