/* stubs.h: what tools/pg-golden/dsa/stubs.c shares with its driver. */
#ifndef DSA_GOLDEN_STUBS_H
#define DSA_GOLDEN_STUBS_H
#include <setjmp.h>

#define STUB_MESSAGE_MAX 512
#define STUB_DUMP_MAX (1 << 22)

/* where an ERROR jumps (the driver's sigsetjmp around one operation); NULL: abort */
extern sigjmp_buf *stub_error_jump;
extern char stub_error_message[STUB_MESSAGE_MAX];
extern char stub_error_detail[STUB_MESSAGE_MAX];

/* dsa_dump's text since the driver last emptied it */
extern char stub_dump[STUB_DUMP_MAX];
extern size_t stub_dump_length;
#endif
