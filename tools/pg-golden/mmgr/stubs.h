/*
 * stubs.h: what stubs.c offers a driver beyond the backend symbols it stands in for.
 *
 * An ERROR raised inside PostgreSQL's memory-context code is turned into a siglongjmp to
 * *PG_exception_stack (set it with sigsetjmp around each call, as PG_TRY does); its message and
 * detail are kept in stub_error_message / stub_error_detail. WARNINGs go to stub_warning_sink
 * when set, else to stderr.
 */
#ifndef PG_GOLDEN_MMGR_STUBS_H
#define PG_GOLDEN_MMGR_STUBS_H

#define STUB_MESSAGE_MAX 512

extern char stub_error_message[STUB_MESSAGE_MAX];
extern char stub_error_detail[STUB_MESSAGE_MAX];
extern void (*stub_warning_sink) (const char *message);

#endif
