/*
 * wbench.c: the allocator workloads W1-W4 (bench/Allocator.Bench/Mmgr/Workloads.cs states them for
 * the port) on PostgreSQL's own aset.c and mcxt.c, timed like the port's PassRunner: one untimed
 * warm-up pass, then one timed pass, printed as "W1 <ns> ns/op". ratio.sh alternates this program
 * with the port's runner over several rounds.
 *
 * Usage: wbench W1|W2|W3|W4
 */
#include "postgres.h"
#include "utils/memutils.h"
#include <stdio.h>
#include <string.h>
#include <time.h>

static uint64 lcg_state;
static volatile unsigned keep;

/* the workloads' size stream: 8..1024 bytes from a 64-bit LCG, restarted at 42 per batch */
static Size
next_size(void)
{
	lcg_state = lcg_state * 6364136223846793005ULL + 1442695040888963407ULL;
	return 8 + (lcg_state >> 33) % 1017;
}

static long
w1_pairs(MemoryContext cxt)
{
	static const Size sizes[8] = {16, 32, 64, 128, 256, 24, 40, 100};
	unsigned	acc = 0;

	for (long i = 0; i < 10000000; i++)
	{
		char	   *p = MemoryContextAlloc(cxt, sizes[i & 7]);

		p[0] = (char) i;
		acc += (unsigned char) p[0];
		pfree(p);
	}
	keep = acc;
	return 2L * 10000000;
}

static long
w2_batch_free(MemoryContext cxt)
{
	static char *batch[1000];
	unsigned	acc = 0;

	for (int r = 0; r < 10000; r++)
	{
		lcg_state = 42;
		for (int i = 0; i < 1000; i++)
		{
			batch[i] = MemoryContextAlloc(cxt, next_size());
			batch[i][0] = (char) i;
		}
		acc += (unsigned char) batch[0][0];
		for (int i = 999; i >= 0; i--)
			pfree(batch[i]);
	}
	keep = acc;
	return 2L * 10000 * 1000;
}

static long
w3_reset(MemoryContext cxt)
{
	unsigned	acc = 0;

	for (int r = 0; r < 1000000; r++)
	{
		char	   *last = NULL;

		lcg_state = 42;
		for (int i = 0; i < 100; i++)
		{
			last = MemoryContextAlloc(cxt, next_size());
			last[0] = (char) i;
		}
		acc += (unsigned char) last[0];
		MemoryContextReset(cxt);
	}
	keep = acc;
	return 1000000L * 101;
}

static long
w4_realloc_growth(MemoryContext cxt)
{
	unsigned	acc = 0;

	for (int r = 0; r < 200000; r++)
	{
		char	   *p = MemoryContextAlloc(cxt, 16);

		p[0] = 1;
		for (Size size = 32; size <= 65536; size *= 2)
		{
			p = repalloc(p, size);
			p[size - 1] = 2;
		}
		acc += (unsigned char) p[0];
		pfree(p);
	}
	keep = acc;
	return 200000L * 14;
}

int
main(int argc, char **argv)
{
	long		(*pass) (MemoryContext);
	MemoryContext cxt;
	struct timespec t0, t1;
	long		ops;

	if (argc != 2 || strlen(argv[1]) != 2 || argv[1][0] != 'W' || argv[1][1] < '1' || argv[1][1] > '4')
	{
		fprintf(stderr, "usage: wbench W1|W2|W3|W4\n");
		return 2;
	}
	pass = argv[1][1] == '1' ? w1_pairs : argv[1][1] == '2' ? w2_batch_free : argv[1][1] == '3' ? w3_reset : w4_realloc_growth;

	MemoryContextInit();
	cxt = AllocSetContextCreate(TopMemoryContext, "bench", ALLOCSET_DEFAULT_SIZES);
	MemoryContextSwitchTo(cxt);
	pass(cxt);					/* warm-up: the context's blocks exist before timing */
	clock_gettime(CLOCK_MONOTONIC, &t0);
	ops = pass(cxt);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	printf("%s %.3f ns/op\n", argv[1], ((t1.tv_sec - t0.tv_sec) * 1e9 + (t1.tv_nsec - t0.tv_nsec)) / ops);
	return 0;
}
