/* Runs Put(10,1); Put(20,1); Get(1); Get(1) through PostgreSQL's own freepage.c (see README.md). */
#include "postgres.h"
#include "utils/freepage.h"
#include <stdio.h>
#include <stdlib.h>

int main(void)
{
	size_t npages = 32;
	char *base = aligned_alloc(FPM_PAGE_SIZE, npages * FPM_PAGE_SIZE);
	FreePageManager *fpm = (FreePageManager *) base;
	Size first = 0;
	bool ok1, ok2;

	FreePageManagerInitialize(fpm, base);
	FreePageManagerPut(fpm, 10, 1);
	FreePageManagerPut(fpm, 20, 1);
	printf("after puts: btree_depth=%u singleton=%zu+%zu\n", fpm->btree_depth, (size_t) fpm->singleton_first_page, (size_t) fpm->singleton_npages);
	ok1 = FreePageManagerGet(fpm, 1, &first);
	printf("get 1: %s page %zu; btree_depth=%u singleton=%zu+%zu recycle_count=%u\n", ok1 ? "ok" : "FAILED", (size_t) first,
		   fpm->btree_depth, (size_t) fpm->singleton_first_page, (size_t) fpm->singleton_npages, fpm->btree_recycle_count);
	ok2 = FreePageManagerGet(fpm, 1, &first);
	printf("get 1 again: %s page %zu\n", ok2 ? "ok" : "FAILED (no free page left: the other page is lost)", (size_t) first);
	return 0;
}
