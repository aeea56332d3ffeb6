/* The backend symbols freepage.c references; its dump is never called and an ERROR aborts. */
#include "postgres.h"
#include "lib/stringinfo.h"
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#undef vprintf
#undef vfprintf
#undef fprintf
void appendStringInfo(StringInfo s, const char *fmt, ...) { abort(); }
void appendStringInfoChar(StringInfo s, char c) { abort(); }
void appendStringInfoString(StringInfo s, const char *t) { abort(); }
void initStringInfo(StringInfo s) { abort(); }
void check_stack_depth(void) { }
bool errstart_cold(int elevel, const char *domain) { return elevel >= ERROR; }
void errfinish(const char *filename, int lineno, const char *funcname) { fprintf(stderr, "ERROR at %s:%d (%s)\n", filename, lineno, funcname); abort(); }
int errmsg_internal(const char *fmt, ...) { return 0; }
int pg_printf(const char *fmt, ...) { va_list a; va_start(a, fmt); int r = vprintf(fmt, a); va_end(a); return r; }
int pg_fprintf(FILE *s, const char *fmt, ...) { va_list a; va_start(a, fmt); int r = vfprintf(s, fmt, a); va_end(a); return r; }
