/*
 * driver.c: runs operation streams on PostgreSQL's own memory contexts (mcxt.c, aset.c,
 * generation.c, slab.c, bump.c, alignedalloc.c) and prints, after every operation, what is
 * observable. The port's replayer (src/Harness/Systems/Mmgr/Golden/GoldenReplayer.cs) prints the
 * same text from the same stream; a golden vector is this program's output, committed.
 *
 * Usage: driver-prod|driver-chk [HEAP_MAX] (bytes, at most and by default 1 GiB: the heap's limit,
 * as the port's SimMemory heapMax).
 *
 * Input: the port's op text (AllocatorOpText: "Alloc ctx=#0 size=24 flags=0 entry=Palloc
 * slabfit=0 align=0", ...), one op a line, '#' lines and blank lines ignored; a line "." ends a
 * stream. Each stream runs in a forked child on a fresh process image (aset.c keeps static
 * freelists of recycled contexts, so a fresh start needs a fresh process), so one long-running
 * driver serves a whole differential campaign over a pipe. Output per stream: each op line echoed,
 * then its observation lines (indented), then "end".
 *
 * Observations (GoldenFormat.cs documents the same lines):
 *   "  = <result>"      ok | skip | null | p<offset> (a returned pointer) | ERROR <message> [DETAIL]
 *   "  ctx <list>"      per context (TopMemoryContext, then the op stream's contexts in creation
 *                       order): nblocks/totalspace/freespace/freechunks/mem_allocated[/R if isReset]
 *   "  chunks <list>"   per live chunk in allocation order: offset+GetMemoryChunkSpace
 *   "  heap <n> <b>"    live malloc blocks and requested bytes
 *   "  stats <text>"    for a Stats op: each subtree context's stats string and the
 *                       MemoryContextMemConsumed totals
 * Offsets are from the start of the heap below, which is a copy of the port's SimHeap (exact-size
 * LIFO bins, top trimming, 16-byte glibc-shaped headers, realloc in place at the top), so the same
 * calls give the same offsets on both sides and nothing depends on libc's addresses. The link maps
 * malloc/free/realloc of the memory-context files (and only theirs) to it with --wrap.
 *
 * References are relative, as in AllocatorOp.cs: a ctx ref indexes the live contexts the stream
 * created, a parent ref [Top, contexts...] (negative: none), a chunk ref the live chunks.
 */
#include "postgres.h"

#include <ctype.h>
#include <setjmp.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "nodes/memnodes.h"
#include "utils/memutils.h"

#include "stubs.h"

#undef printf
#undef snprintf
#undef vsnprintf
#undef fprintf

/* ------------------------------------------------------------------ the heap (SimHeap's twin) */

#define HEAP_MAX		((Size) 1 << 30)	/* SimMemory.DefaultHeapMax: the reservation */
#define HEAP_ALIGN_TO	((Size) 0x10000000) /* SimMemory.HeapBase's alignment */
#define HDR				16
#define MMAP_THRESHOLD	(128 * 1024)

static char *heap_base;
static Size heap_max = HEAP_MAX;	/* argv[1] may lower it, as the port's SimMemory(heapMax) */
static Size heap_top;			/* bytes in use past heap_base */
static long heap_live;
static Size heap_bytes;

typedef struct Bin
{
	Size		footprint;
	int			count;
	int			cap;
	char	  **ptrs;
} Bin;

static Bin *bins;
static int	nbins;
static int	binscap;

extern void *__real_malloc(size_t size);
extern void __real_free(void *ptr);
extern void *__real_realloc(void *ptr, size_t size);

static Bin *
find_bin(Size footprint, bool create)
{
	for (int i = 0; i < nbins; i++)
		if (bins[i].footprint == footprint)
			return &bins[i];
	if (!create)
		return NULL;
	if (nbins == binscap)
	{
		binscap = binscap ? binscap * 2 : 64;
		bins = __real_realloc(bins, binscap * sizeof(Bin));
	}
	bins[nbins] = (Bin) {footprint, 0, 0, NULL};
	return &bins[nbins++];
}

static Size
footprint_for(Size size)
{
	Size		f;

	if (size > SIZE_MAX - 64)
		return SIZE_MAX;
	f = ((size + 15) & ~(Size) 15) + HDR;
	return f < 32 ? 32 : f;
}

static void
write_header(char *user, Size footprint, Size requested)
{
	/* the port writes prev_size 0 here; the requested size is this copy's own bookkeeping */
	((Size *) user)[-2] = requested;
	((Size *) user)[-1] = footprint | (footprint >= MMAP_THRESHOLD ? 2 : 1);
}

static Size
header_footprint(char *user)
{
	return ((Size *) user)[-1] & ~(Size) 15;
}

static char *
heap_place(Size size)
{
	Size		footprint = footprint_for(size);
	Bin		   *bin;
	char	   *user;

	if (footprint == SIZE_MAX || footprint > heap_max)
		return NULL;
	bin = find_bin(footprint, false);
	if (bin != NULL && bin->count > 0)
		user = bin->ptrs[--bin->count];
	else
	{
		if (footprint > heap_max - heap_top)
			return NULL;
		user = heap_base + heap_top + HDR;
		heap_top += footprint;
	}
	write_header(user, footprint, size);
	heap_live++;
	heap_bytes += size;
	return user;
}

static void
heap_release(char *user, Size footprint)
{
	Bin		   *bin;

	if (user - HDR + footprint == heap_base + heap_top)
	{
		heap_top = user - HDR - heap_base;
		return;
	}
	bin = find_bin(footprint, true);
	if (bin->count == bin->cap)
	{
		bin->cap = bin->cap ? bin->cap * 2 : 16;
		bin->ptrs = __real_realloc(bin->ptrs, bin->cap * sizeof(char *));
	}
	bin->ptrs[bin->count++] = user;
}

void *
__wrap_malloc(size_t size)
{
	return heap_place(size);
}

void
__wrap_free(void *ptr)
{
	char	   *user = ptr;

	if (user == NULL)
		return;
	heap_live--;
	heap_bytes -= ((Size *) user)[-2];
	heap_release(user, header_footprint(user));
}

void *
__wrap_realloc(void *ptr, size_t size)
{
	char	   *user = ptr;
	Size		old_footprint,
				old_requested,
				footprint;
	char	   *moved;

	if (user == NULL)
		return heap_place(size);
	old_footprint = header_footprint(user);
	old_requested = ((Size *) user)[-2];
	footprint = footprint_for(size);
	if (footprint == SIZE_MAX || footprint > heap_max)
		return NULL;
	if (footprint <= old_footprint || user - HDR + old_footprint == heap_base + heap_top)
	{
		Size		keep = old_footprint;

		if (footprint > old_footprint)
		{
			if (heap_top + (footprint - old_footprint) > heap_max)
				return NULL;
			heap_top += footprint - old_footprint;
			keep = footprint;
		}
		write_header(user, keep, size);
		heap_bytes = heap_bytes - old_requested + size;
		return user;
	}
	moved = heap_place(size);
	if (moved == NULL)
		return NULL;
	memcpy(moved, user, Min(old_requested, size));
	heap_live--;
	heap_bytes -= old_requested;
	heap_release(user, old_footprint);
	return moved;
}

static void
heap_init(void)
{
	/*
	 * Reserve, aligned as the port's heap base is, so alignments up to 256 MiB agree; only
	 * [base, base + heap_max) is accessible, so a runaway write (quirk Q2's memset of SIZE_MAX
	 * bytes) faults at the heap's end, as in the port's SimMemory, instead of first touching
	 * the whole reservation.
	 */
	char	   *raw = mmap(NULL, HEAP_MAX + HEAP_ALIGN_TO, PROT_NONE,
						   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);

	if (raw == MAP_FAILED)
	{
		perror("mmap");
		exit(2);
	}
	heap_base = (char *) TYPEALIGN(HEAP_ALIGN_TO, raw);
	if (mprotect(heap_base, heap_max, PROT_READ | PROT_WRITE) != 0)
	{
		perror("mprotect");
		exit(2);
	}
}

/* ------------------------------------------------------------------ output */

static char *out;
static size_t outlen,
			outcap;

static void
emit(const char *fmt,...) pg_attribute_printf(1, 2);

static void
emit(const char *fmt,...)
{
	va_list		a;
	int			n;

	for (;;)
	{
		va_start(a, fmt);
		n = vsnprintf(out + outlen, outcap - outlen, fmt, a);
		va_end(a);
		if (n >= 0 && outlen + n < outcap)
			break;
		outcap = outcap * 2 + n + 1024;
		out = __real_realloc(out, outcap);
	}
	outlen += n;
}

static Size
off(const void *p)
{
	return (const char *) p - heap_base;
}

/* ------------------------------------------------------------------ the stream's state */

typedef enum Kind
{
	K_AllocSet, K_Generation, K_Slab, K_Bump
} Kind;

typedef struct Ctx
{
	MemoryContext cxt;
	int			kind;
	Size		slab_chunk;		/* Slab: chunkSize as created (slabfit) */
} Ctx;

typedef struct Chunk
{
	void	   *ptr;
	MemoryContext owner;
	Size		requested;
} Chunk;

static Ctx	ctxs[4096];
static int	nctx;
static int	created;
static Chunk chunks[65536];
static int	nchunk;
static char names[4096][16];

static Ctx *
ctx_of(MemoryContext c)
{
	for (int i = 0; i < nctx; i++)
		if (ctxs[i].cxt == c)
			return &ctxs[i];
	return NULL;
}

static Ctx *
user_ctx(long r)
{
	if (nctx == 0)
		return NULL;
	return &ctxs[(uint32) r % (uint32) nctx];
}

/* a pctx ref: negative = NULL (or Top when no null is allowed), 0 = Top, i = user context i-1 */
static MemoryContext
parent_or_view(long r, bool null_allowed)
{
	uint32		i;

	if (r < 0)
		return null_allowed ? NULL : TopMemoryContext;
	i = (uint32) r % (uint32) (nctx + 1);
	return i == 0 ? TopMemoryContext : ctxs[i - 1].cxt;
}

static bool
ancestor_or_self(MemoryContext a, MemoryContext c)
{
	for (; c != NULL; c = c->parent)
		if (c == a)
			return true;
	return false;
}

/* forgets the chunks whose owner matches, and the contexts that match (both in order) */
static void
forget(MemoryContext root, bool self, bool descendants, bool drop_contexts)
{
	int			j = 0;

	for (int i = 0; i < nchunk; i++)
	{
		MemoryContext o = chunks[i].owner;
		bool		hit = (self && o == root) || (descendants && o != root && ancestor_or_self(root, o));

		if (!hit)
			chunks[j++] = chunks[i];
	}
	nchunk = j;
	if (!drop_contexts)
		return;
	j = 0;
	for (int i = 0; i < nctx; i++)
	{
		MemoryContext o = ctxs[i].cxt;
		bool		hit = (self && o == root) || (descendants && o != root && ancestor_or_self(root, o));

		if (!hit)
			ctxs[j++] = ctxs[i];
	}
	nctx = j;
}

/* ------------------------------------------------------------------ parsing */

typedef struct Fields
{
	char	   *keys[16];
	char	   *vals[16];
	int			n;
} Fields;

static const char *
field(Fields *f, const char *key)
{
	for (int i = 0; i < f->n; i++)
		if (strcmp(f->keys[i], key) == 0)
			return f->vals[i];
	return NULL;
}

static unsigned long long
num(Fields *f, const char *key)
{
	const char *v = field(f, key);

	return v ? strtoull(v, NULL, 0) : 0;
}

static long
ref(Fields *f, const char *key)
{
	const char *v = field(f, key);

	if (v == NULL || strcmp(v, "null") == 0)
		return -1;
	return strtol(v[0] == '#' ? v + 1 : v, NULL, 10);
}

static int
flags_of(Fields *f)
{
	const char *v = field(f, "flags");
	int			flags = 0;

	if (v == NULL)
		return 0;
	if (strstr(v, "HUGE"))
		flags |= MCXT_ALLOC_HUGE;
	if (strstr(v, "NO_OOM"))
		flags |= MCXT_ALLOC_NO_OOM;
	if (strstr(v, "ZERO"))
		flags |= MCXT_ALLOC_ZERO;
	return flags;
}

static int
enum_of(Fields *f, const char *key, const char *const *names_list)
{
	const char *v = field(f, key);

	for (int i = 0; v != NULL && names_list[i] != NULL; i++)
		if (strcmp(v, names_list[i]) == 0)
			return i;
	return -1;
}

static const char *const kind_names[] = {"AllocSet", "Generation", "Slab", "Bump", NULL};
static const char *const alloc_entries[] = {"Palloc", "MemoryContextAlloc", "AllocExtended", "AllocAligned", NULL};
static const char *const realloc_entries[] = {"Repalloc", "RepallocExtended", "Repalloc0", NULL};

/* ContextParams.Normalize */
#define MAX_BLOCK_LIMIT ((Size) 0x3FFFFFF8)
static Size
align8(Size x)
{
	return x >= MAX_BLOCK_LIMIT ? MAX_BLOCK_LIMIT : (x + 7) & ~(Size) 7;
}

/* ContextParams.NormalizeAlign */
static Size
normalize_align(Size a)
{
	Size		p = 1;

	if (a == 0)
		return 1;
	while (p <= a / 2 && p < ((Size) 64 << 20))
		p <<= 1;
	return p;
}

/* ------------------------------------------------------------------ operations */

static sigjmp_buf on_error;

/*
 * PG_TRY for one operation: an ERROR raised by what follows in the calling function lands here
 * (stubs.c's errfinish jumps to on_error), is printed as the op's result, and ends the op.
 */
#define ON_ERROR_REPORT_AND_RETURN() \
	do { \
		if (sigsetjmp(on_error, 0) != 0) \
		{ \
			result_error(); \
			return; \
		} \
	} while (0)

/*
 * Emits a message with every hexadecimal number that is an address in the heap written as
 * "heap+0x<offset>" (invalid-pointer ERRORs print addresses and raw header words); GoldenReplayer
 * rewrites the port's messages by the same rule.
 */
static void
emit_normalized(const char *text)
{
	const char *s = text;

	while (*s)
	{
		if (s[0] == '0' && s[1] == 'x' && isxdigit((unsigned char) s[2]))
		{
			char	   *end;
			unsigned long long v = strtoull(s + 2, &end, 16);

			if (v >= (uintptr_t) heap_base && v - (uintptr_t) heap_base < HEAP_MAX + HEAP_ALIGN_TO)
			{
				emit("heap+0x%llx", v - (unsigned long long) (uintptr_t) heap_base);
				s = end;
				continue;
			}
			emit("%.*s", (int) (end - s), s);
			s = end;
			continue;
		}
		emit("%c", *s++);
	}
}

static void
result_error(void)
{
	emit("  = ERROR ");
	emit_normalized(stub_error_message);
	if (stub_error_detail[0])
	{
		emit(" DETAIL ");
		emit_normalized(stub_error_detail);
	}
	emit("\n");
}

static void
result_pointer(void *p)
{
	if (p == NULL)
		emit("  = null\n");
	else
		emit("  = p%zu\n", off(p));
}

static void
op_create(Fields *f)
{
	int			kind = enum_of(f, "kind", kind_names);
	MemoryContext parent = parent_or_view(ref(f, "parent"), true);
	Size		min = 0,
				init,
				max = 0,
				chunk = 0;
	MemoryContext volatile c = NULL;
	const char *name = names[created % 4096];

	if (nctx >= 4096)
	{
		emit("  = skip\n");
		return;
	}
	if (kind == K_Slab)
	{
		init = num(f, "block");
		init = init < 48 ? 48 : init > 0x3FFFFFFF ? 0x3FFFFFFF : init;
		chunk = num(f, "chunk");
		chunk = chunk > 0x3FFFFF00 ? 0x3FFFFF00 : chunk;
	}
	else
	{
		init = Max(align8(num(f, "init")), 1024);
		max = Max(align8(num(f, "max")), init);
		min = num(f, "min");
		min = min == 0 ? 0 : Min(Max(align8(min), 1024), max);
	}
	snprintf(names[created % 4096], 16, "c%d", created);
	created++;
	if (sigsetjmp(on_error, 0) == 0)
	{
		switch (kind)
		{
			case K_AllocSet:
				c = AllocSetContextCreateInternal(parent, name, min, init, max);
				break;
			case K_Generation:
				c = GenerationContextCreate(parent, name, min, init, max);
				break;
			case K_Slab:
				c = SlabContextCreate(parent, name, init, chunk);
				break;
			default:
				c = BumpContextCreate(parent, name, min, init, max);
				break;
		}
	}
	else
	{
		result_error();
		return;
	}
	ctxs[nctx++] = (Ctx) {c, kind, chunk};
	emit("  = ok\n");
}

static void
op_alloc(Fields *f)
{
	int			entry = enum_of(f, "entry", alloc_entries);
	Ctx		   *uc = entry == 0 ? ctx_of(CurrentMemoryContext) : user_ctx(ref(f, "ctx"));
	MemoryContext c = entry == 0 ? CurrentMemoryContext : uc ? uc->cxt : NULL;
	Size		size = num(f, "size");
	int			flags = flags_of(f);
	Size		alignto = entry == 3 ? normalize_align(num(f, "align")) : 0;
	void	   *volatile p = NULL;

	if (c == NULL || nchunk >= 65536)
	{
		emit("  = skip\n");
		return;
	}
	if (num(f, "slabfit") && uc != NULL && uc->kind == K_Slab)
		size = uc->slab_chunk;
	ON_ERROR_REPORT_AND_RETURN();
	switch (entry)
	{
		case 0:
			p = flags == 0 ? palloc(size) : flags == MCXT_ALLOC_ZERO ? palloc0(size) : palloc_extended(size, flags);
			break;
		case 1:
			p = (flags & MCXT_ALLOC_HUGE) ? MemoryContextAllocHuge(c, size)
				: (flags & MCXT_ALLOC_ZERO) ? MemoryContextAllocZero(c, size) : MemoryContextAlloc(c, size);
			break;
		case 2:
			p = MemoryContextAllocExtended(c, size, flags);
			break;
		default:
			p = MemoryContextAllocAligned(c, size, alignto, flags);
			break;
	}
	result_pointer(p);
	if (p != NULL)
		chunks[nchunk++] = (Chunk) {p, c, size};
}

static void
op_realloc(Fields *f)
{
	int			entry = enum_of(f, "entry", realloc_entries);
	Chunk	   *ch;
	Ctx		   *uc;
	Size		size = num(f, "size");
	int			flags = flags_of(f) & ~MCXT_ALLOC_ZERO;
	void	   *volatile p = NULL;

	if (nchunk == 0)
	{
		emit("  = skip\n");
		return;
	}
	ch = &chunks[(uint32) ref(f, "chunk") % (uint32) nchunk];
	uc = ctx_of(ch->owner);
	if (num(f, "slabfit") && uc != NULL && uc->kind == K_Slab)
		size = uc->slab_chunk;
	ON_ERROR_REPORT_AND_RETURN();
	switch (entry)
	{
		case 0:
			p = repalloc(ch->ptr, size);
			break;
		case 1:
			p = repalloc_extended(ch->ptr, size, flags);
			break;
		default:
			p = repalloc0(ch->ptr, ch->requested, size);
			break;
	}
	result_pointer(p);
	if (p != NULL)
	{
		ch->ptr = p;
		ch->requested = size;
	}
}

static void
op_free(Fields *f)
{
	int			i;

	if (nchunk == 0)
	{
		emit("  = skip\n");
		return;
	}
	i = (uint32) ref(f, "chunk") % (uint32) nchunk;
	ON_ERROR_REPORT_AND_RETURN();
	pfree(chunks[i].ptr);
	memmove(&chunks[i], &chunks[i + 1], (nchunk - i - 1) * sizeof(Chunk));
	nchunk--;
	emit("  = ok\n");
}

typedef enum TreeOp
{
	T_Reset, T_ResetOnly, T_ResetChildren, T_Delete, T_DeleteChildren
} TreeOp;

static void
op_tree(Fields *f, TreeOp op)
{
	Ctx		   *uc = user_ctx(ref(f, "ctx"));
	MemoryContext c,
				cur = CurrentMemoryContext;
	bool		deletes_current;

	if (uc == NULL)
	{
		emit("  = skip\n");
		return;
	}
	c = uc->cxt;
	/* a well-behaved caller leaves a context before deleting it (AllocatorRunner.Tree) */
	deletes_current = op == T_Delete ? ancestor_or_self(c, cur)
		: (op == T_Reset || op == T_DeleteChildren) ? cur != c && ancestor_or_self(c, cur) : false;
	if (deletes_current)
		MemoryContextSwitchTo(TopMemoryContext);
	ON_ERROR_REPORT_AND_RETURN();
	switch (op)
	{
		/* the bookkeeping reads the ancestry, so it goes first, while the contexts still exist */
		case T_Reset:
			forget(c, true, true, false);
			forget(c, false, true, true);
			MemoryContextReset(c);
			break;
		case T_ResetOnly:
			forget(c, true, false, false);
			MemoryContextResetOnly(c);
			break;
		case T_ResetChildren:
			forget(c, false, true, false);
			MemoryContextResetChildren(c);
			break;
		case T_Delete:
			forget(c, true, true, true);
			MemoryContextDelete(c);
			break;
		default:
			forget(c, false, true, true);
			MemoryContextDeleteChildren(c);
			break;
	}
	emit("  = ok\n");
}

static void
op_set_parent(Fields *f)
{
	Ctx		   *uc = user_ctx(ref(f, "ctx"));
	MemoryContext p;

	if (uc == NULL)
	{
		emit("  = skip\n");
		return;
	}
	p = parent_or_view(ref(f, "parent"), true);
	if (p != NULL && ancestor_or_self(uc->cxt, p))
	{
		emit("  = skip\n");
		return;
	}
	MemoryContextSetParent(uc->cxt, p);
	emit("  = ok\n");
}

static void
print_stats_string(MemoryContext context, void *passthru, const char *stats_string, bool print_to_stderr)
{
	emit(" %s: %s;", context->name, stats_string);
}

static void
op_stats(Fields *f)
{
	MemoryContext c = parent_or_view(ref(f, "ctx"), false);
	MemoryContextCounters consumed;
	MemoryContextCounters ignored;

	emit("  = ok\n  stats");
	memset(&ignored, 0, sizeof(ignored));
	c->methods->stats(c, print_stats_string, NULL, &ignored, true);
	for (MemoryContext d = c->firstchild; d != NULL; d = d->nextchild)
		d->methods->stats(d, print_stats_string, NULL, &ignored, true);
	MemoryContextMemConsumed(c, &consumed);
	emit(" consumed %zu/%zu/%zu/%zu\n", consumed.nblocks, consumed.totalspace, consumed.freespace, consumed.freechunks);
}

static void
print_context(const char *label, MemoryContext c)
{
	MemoryContextCounters t;

	memset(&t, 0, sizeof(t));
	c->methods->stats(c, NULL, NULL, &t, false);
	emit(" %s=%zu/%zu/%zu/%zu/%zu%s", label, t.nblocks, t.totalspace, t.freespace, t.freechunks,
		 c->mem_allocated, c->isReset ? "/R" : "");
}

static void
observe(void)
{
	print_context("top", TopMemoryContext);
	for (int i = 0; i < nctx; i++)
		print_context(ctxs[i].cxt->name, ctxs[i].cxt);
	emit("\n  chunks");
	for (volatile int i = 0; i < nchunk; i++)
	{
		/* bump.c has no GetMemoryChunkSpace: its ERROR is the observation ("+E") */
		if (sigsetjmp(on_error, 0) == 0)
			emit(" %zu+%zu", off(chunks[i].ptr), GetMemoryChunkSpace(chunks[i].ptr));
		else
			emit(" %zu+E", off(chunks[i].ptr));
	}
	emit("\n  heap %ld %zu\n", heap_live, heap_bytes);
}

static void
warning_to_output(const char *message)
{
	emit("  WARNING ");
	emit_normalized(message);
	emit("\n");
}

static void
run_line(char *line)
{
	Fields		f;
	char	   *save = NULL;
	char	   *name = strtok_r(line, " \t", &save);
	char	   *tok;

	f.n = 0;
	while ((tok = strtok_r(NULL, " \t", &save)) != NULL && f.n < 16)
	{
		char	   *eq = strchr(tok, '=');

		if (eq == NULL)
			continue;
		*eq = '\0';
		f.keys[f.n] = tok;
		f.vals[f.n++] = eq + 1;
	}
	if (strcmp(name, "CreateContext") == 0)
		op_create(&f);
	else if (strcmp(name, "Alloc") == 0)
		op_alloc(&f);
	else if (strcmp(name, "Realloc") == 0)
		op_realloc(&f);
	else if (strcmp(name, "Free") == 0)
		op_free(&f);
	else if (strcmp(name, "Reset") == 0)
		op_tree(&f, T_Reset);
	else if (strcmp(name, "ResetOnly") == 0)
		op_tree(&f, T_ResetOnly);
	else if (strcmp(name, "ResetChildren") == 0)
		op_tree(&f, T_ResetChildren);
	else if (strcmp(name, "Delete") == 0)
		op_tree(&f, T_Delete);
	else if (strcmp(name, "DeleteChildren") == 0)
		op_tree(&f, T_DeleteChildren);
	else if (strcmp(name, "SetParent") == 0)
		op_set_parent(&f);
	else if (strcmp(name, "SwitchTo") == 0)
	{
		MemoryContextSwitchTo(parent_or_view(ref(&f, "ctx"), false));
		emit("  = ok\n");
	}
	else if (strcmp(name, "Stats") == 0)
		op_stats(&f);
	else
	{
		/* patterns, callbacks, checks and the hostile ops are not observed here */
		emit("  = skip\n");
	}
	observe();
}

/* runs one stream (in a child process: a fresh image of this one) and writes its output */
static void
run_stream(char **lines, int n)
{
	PG_exception_stack = &on_error;
	stub_warning_sink = warning_to_output;
	MemoryContextInit();
	for (int i = 0; i < n; i++)
	{
		char	   *line = lines[i];
		size_t		len = strlen(line);

		emit("%s\n", line);
		run_line(line);
		(void) len;
		/* written op by op, so a crash of the C side shows the text up to the op that crashed */
		fwrite(out, 1, outlen, stdout);
		fflush(stdout);
		outlen = 0;
	}
	emit("end\n");
	fwrite(out, 1, outlen, stdout);
	fflush(stdout);
	outlen = 0;
}

int
main(int argc, char **argv)
{
	char	   *line = NULL;
	size_t		cap = 0;
	ssize_t		len;
	char	  **lines = NULL;
	int			n = 0,
				ncap = 0;
	bool		pending = false;

	if (argc > 1)
		heap_max = Min(strtoull(argv[1], NULL, 0), HEAP_MAX);
	heap_init();
	outcap = 1 << 16;
	out = __real_malloc(outcap);
	for (;;)
	{
		len = getline(&line, &cap, stdin);
		if (len >= 0)
		{
			while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r' || line[len - 1] == ' '))
				line[--len] = '\0';
			if (len == 0 || line[0] == '#')
				continue;
			/* a vector file: only its op lines (not indented) are input */
			if (line[0] == ' ' || strcmp(line, "end") == 0)
				continue;
		}
		if (len >= 0 && strcmp(line, ".") != 0)
		{
			if (n == ncap)
			{
				ncap = ncap ? ncap * 2 : 256;
				lines = __real_realloc(lines, ncap * sizeof(char *));
			}
			lines[n++] = strdup(line);
			pending = true;
			continue;
		}
		if (pending || len >= 0)
		{
			pid_t		child = fork();
			int			status;

			if (child == 0)
			{
				run_stream(lines, n);
				_exit(0);
			}
			waitpid(child, &status, 0);
			if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
			{
				/* the C side crashed: say so, so a differential run records it */
				printf("crash %d\n", WIFSIGNALED(status) ? WTERMSIG(status) : WEXITSTATUS(status));
			}
			fflush(stdout);
			for (int i = 0; i < n; i++)
				__real_free(lines[i]);
			n = 0;
			pending = false;
		}
		if (len < 0)
			break;
	}
	return 0;
}
