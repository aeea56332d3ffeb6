/*
 * golden.c: golden vectors for the port's FreePageManager, from PostgreSQL's own freepage.c.
 *
 *   golden SEED NPAGES NOPS START
 *
 * Builds a manager in page 0 of an NPAGES-page region (as DSA keeps it in a segment header),
 * starts it EMPTY (nothing put), FULL (pages 1..NPAGES-1 put as one run) or FRAGMENTED (runs of
 * 1-4 pages put with 1-3 page gaps), then runs NOPS operations chosen by a splitmix64 stream from
 * SEED: a Get of 1-8 pages (1 in 8 of them 9-40), or a Put of an allocated run or of its first
 * part. After each operation it prints the operation, its result, and the manager's observable
 * fields (btree depth, recycle count, singleton run, contiguous_pages and its dirty flag), one line
 * per operation; the port must reproduce every line (src/Harness/Systems/Dsa/Golden/FpmGoldenReplayer.cs).
 * Pages never put (the empty start, the gaps) are "allocated" and may be put later.
 */
#include "postgres.h"
#include "utils/freepage.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint64 state;

static uint64
next(void)
{
	uint64		z = (state += UINT64CONST(0x9E3779B97F4A7C15));

	z = (z ^ (z >> 30)) * UINT64CONST(0xBF58476D1CE4E5B9);
	z = (z ^ (z >> 27)) * UINT64CONST(0x94D049BB133111EB);
	return z ^ (z >> 31);
}

static Size
below(Size n)
{
	return (Size) (next() % n);
}

typedef struct Run { Size first, npages; } Run;
static Run runs[1 << 16];
static int nruns;

static void
show(FreePageManager *fpm)
{
	printf(" | depth=%u recycle=%u single=%zu+%zu contig=%zu dirty=%d\n",
		   fpm->btree_depth, fpm->btree_recycle_count,
		   (size_t) fpm->singleton_first_page, (size_t) fpm->singleton_npages,
		   (size_t) fpm->contiguous_pages, fpm->contiguous_pages_dirty ? 1 : 0);
}

int
main(int argc, char **argv)
{
	Size		npages, nops, i;
	char	   *base;
	FreePageManager *fpm;

	if (argc != 5)
	{
		fprintf(stderr, "usage: golden SEED NPAGES NOPS EMPTY|FULL|FRAGMENTED\n");
		return 2;
	}
	state = strtoull(argv[1], NULL, 10);
	npages = strtoull(argv[2], NULL, 10);
	nops = strtoull(argv[3], NULL, 10);
	base = aligned_alloc(FPM_PAGE_SIZE, npages * FPM_PAGE_SIZE);
	memset(base, 0, npages * FPM_PAGE_SIZE);
	fpm = (FreePageManager *) base;
	FreePageManagerInitialize(fpm, base);
	printf("# golden %s %s %s %s\n", argv[1], argv[2], argv[3], argv[4]);

	if (strcmp(argv[4], "FULL") == 0)
	{
		FreePageManagerPut(fpm, 1, npages - 1);
		printf("put 1 %zu", (size_t) (npages - 1));
		show(fpm);
	}
	else if (strcmp(argv[4], "FRAGMENTED") == 0)
	{
		Size		p = 1;

		while (p < npages)
		{
			Size		len = 1 + below(4), gap = 1 + below(3);

			if (p + len > npages)
				len = npages - p;
			FreePageManagerPut(fpm, p, len);
			printf("put %zu %zu", (size_t) p, (size_t) len);
			show(fpm);
			p += len;
			if (p < npages)
			{
				if (p + gap > npages)
					gap = npages - p;
				runs[nruns].first = p;
				runs[nruns++].npages = gap;
				p += gap;
			}
		}
	}
	else
	{
		runs[nruns].first = 1;
		runs[nruns++].npages = npages - 1;
	}

	for (i = 0; i < nops; i++)
	{
		if (nruns > 0 && below(2) == 0)
		{
			int			r = (int) below(nruns);
			Size		first = runs[r].first, n = runs[r].npages;

			if (n > 1 && below(2) == 0)
			{
				Size		part = 1 + below(n - 1);

				runs[r].first += part;
				runs[r].npages -= part;
				n = part;
			}
			else
				runs[r] = runs[--nruns];
			FreePageManagerPut(fpm, first, n);
			printf("put %zu %zu", (size_t) first, (size_t) n);
		}
		else
		{
			Size		n = below(8) == 0 ? 9 + below(32) : 1 + below(8);
			Size		first = 0;

			if (FreePageManagerGet(fpm, n, &first))
			{
				runs[nruns].first = first;
				runs[nruns++].npages = n;
				printf("get %zu = %zu", (size_t) n, (size_t) first);
			}
			else
				printf("get %zu = none", (size_t) n);
		}
		show(fpm);
	}
	return 0;
}
