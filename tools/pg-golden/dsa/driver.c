/*
 * driver.c: golden vectors for the port's dsa_area from PostgreSQL's own dsa.c and freepage.c.
 *
 *   driver < STREAM > VECTOR
 *
 * STREAM is the port's own op text (src/Harness/Systems/Dsa/Oracle/DsaOpText, as `harness golden
 * dsa streams` writes it), after a first line "# dsa-golden init=BYTES limit=BYTES": the area is
 * dsa_create_ext(tranche, init, DSA_MAX_SEGMENT_SIZE) with dsa_set_size_limit(limit). Ops, all by
 * the one backend:
 *   b0 alloc SIZE [huge] [no_oom] [zero]  dsa_allocate_extended; a valid result joins the live list
 *   b0 free #I                             dsa_free of live allocation I modulo the list's length
 *                                          (removed from the list, the others keep their order)
 *   b0 trim                                dsa_trim
 * anything else prints "  = skip". After each op the driver echoes it and prints, indented:
 *   "  = DSA_POINTER" | "  = invalid" | "  = ERROR message; detail" | "  = freed DSA_POINTER" | "  = ok"
 * then dsa_dump's text, each line indented two more spaces, with the two things that depend on
 * where this process's memory is rather than on dsa.c dropped: the area's handle (the DSM handle
 * of its first segment) prints as H, and each segment's ", mapped at ADDRESS" is cut.
 * src/Harness/Systems/Dsa/Golden/DsaGoldenReplayer prints the same for the same stream on the port.
 */
#include "postgres.h"
#include "utils/dsa.h"
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "stubs.h"

#define TRANCHE_ID 100
#define MAX_LIVE 100000

static dsa_pointer live[MAX_LIVE];
static int	nlive;

/* prints dsa_dump's text normalised (see the header) and empties the buffer */
static void
print_dump(dsa_area *area)
{
	char	   *line;
	char	   *save = NULL;

	stub_dump_length = 0;
	stub_dump[0] = '\0';
	dsa_dump(area);
	for (line = strtok_r(stub_dump, "\n", &save); line != NULL; line = strtok_r(NULL, "\n", &save))
	{
		char	   *mapped = strstr(line, ", mapped at ");

		if (strncmp(line, "dsa_area handle ", 16) == 0)
		{
			printf("    dsa_area handle H:\n");
			continue;
		}
		if (mapped != NULL)
			*mapped = '\0';
		printf("    %s\n", line);
	}
	stub_dump_length = 0;
}

static void
run_alloc(dsa_area *area, char *args)
{
	char	   *save = NULL;
	char	   *word = strtok_r(args, " ", &save);
	size_t		size = strtoull(word, NULL, 10);
	int			flags = 0;
	sigjmp_buf	jump;
	dsa_pointer dp;

	while ((word = strtok_r(NULL, " ", &save)) != NULL)
	{
		if (strcmp(word, "huge") == 0)
			flags |= DSA_ALLOC_HUGE;
		else if (strcmp(word, "no_oom") == 0)
			flags |= DSA_ALLOC_NO_OOM;
		else if (strcmp(word, "zero") == 0)
			flags |= DSA_ALLOC_ZERO;
	}
	if (sigsetjmp(jump, 0) != 0)
	{
		stub_error_jump = NULL;
		if (stub_error_detail[0] != '\0')
			printf("  = ERROR %s; %s\n", stub_error_message, stub_error_detail);
		else
			printf("  = ERROR %s\n", stub_error_message);
		return;
	}
	stub_error_jump = &jump;
	dp = dsa_allocate_extended(area, size, flags);
	stub_error_jump = NULL;
	if (!DsaPointerIsValid(dp))
	{
		printf("  = invalid\n");
		return;
	}
	if (nlive == MAX_LIVE)
	{
		fprintf(stderr, "more than %d live allocations\n", MAX_LIVE);
		exit(2);
	}
	live[nlive++] = dp;
	printf("  = " DSA_POINTER_FORMAT "\n", dp);
}

int
main(void)
{
	static char line[4096];
	size_t		init = 0, limit = 0;
	dsa_area   *area;

	if (fgets(line, sizeof(line), stdin) == NULL
		|| sscanf(line, "# dsa-golden init=%zu limit=%zu", &init, &limit) != 2)
	{
		fprintf(stderr, "usage: driver < STREAM (first line '# dsa-golden init=BYTES limit=BYTES')\n");
		return 2;
	}
	printf("# dsa-golden init=%zu limit=%zu\n", init, limit);
	area = dsa_create_ext(TRANCHE_ID, init, DSA_MAX_SEGMENT_SIZE);
	dsa_set_size_limit(area, limit);
	while (fgets(line, sizeof(line), stdin) != NULL)
	{
		char	   *op;

		line[strcspn(line, "\r\n")] = '\0';
		if (line[0] == '\0' || line[0] == '#')
			continue;
		printf("%s\n", line);
		op = strchr(line, ' ');
		op = op == NULL ? line : op + 1;
		if (strncmp(op, "alloc ", 6) == 0)
			run_alloc(area, op + 6);
		else if (strncmp(op, "free #", 6) == 0 && nlive > 0)
		{
			int			i = (int) (strtoull(op + 6, NULL, 10) % (unsigned long long) nlive);
			dsa_pointer dp = live[i];

			memmove(&live[i], &live[i + 1], sizeof(dsa_pointer) * (nlive - i - 1));
			nlive--;
			dsa_free(area, dp);
			printf("  = freed " DSA_POINTER_FORMAT "\n", dp);
		}
		else if (strcmp(op, "trim") == 0)
		{
			dsa_trim(area);
			printf("  = ok\n");
		}
		else
			printf("  = skip\n");
		print_dump(area);
	}
	return 0;
}
