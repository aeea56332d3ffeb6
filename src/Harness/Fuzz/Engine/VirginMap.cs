// VirginMap: which (edge, hit-count bucket) pairs the campaign has seen, per coverage source.
//
// An execution is interesting when its bucketed trace sets a bit the campaign has never seen: a
// new edge, or a known edge in a new hit-count class (AFL's has_new_bits). The scan is the engine's
// per-execution cost beside the target itself, so it is built for the common case, a sparse trace
// with nothing new (AFL++ afl-fuzz-bitmap.c does the same with classify_counts + has_new_bits):
//   - zero stretches are skipped 32 bytes at a time with Vector256 compares (a trace of a few
//     thousand edges leaves the 64 KiB map mostly zeros), then 8 bytes at a time;
//   - a non-zero word is bucketed 2 cells at a time through HitCountBuckets.Table16 and tested
//     against the seen word as a whole (bucketed & ~seen); only a word with news goes cell by cell.
//
// The parallel engine splits a judgement in two: workers call HasNews (read-only, against the
// maps as they stood at the batch start) and, for a candidate with news, Capture its non-zero
// cells; the main thread then Commits the captured cells in candidate order. Evaluating a capture
// gives the same counts as evaluating the full trace, because zero cells never contribute.
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Harness.Fuzz.Engine;

/// <summary>What an execution added: edges never seen, and bucket bits new on known edges.</summary>
public readonly record struct Novelty(int NewEdges, int NewBuckets)
{
    public bool IsNew => NewEdges > 0 || NewBuckets > 0;
}

/// <summary>The non-zero cells of one trace (cell index, bucket bit), ascending: all a commit needs.</summary>
public sealed class SparseTrace
{
    public SparseTrace(int[] cells, byte[] buckets)
    {
        if (cells.Length != buckets.Length) throw new ArgumentException("one bucket per cell");
        Cells = cells;
        Buckets = buckets;
    }

    public int[] Cells { get; }

    public byte[] Buckets { get; }
}

public sealed class VirginMap
{
    private readonly byte[] _seen;

    public VirginMap(int size)
    {
        if (size <= 0 || size % 8 != 0) throw new ArgumentOutOfRangeException(nameof(size), "map size must be a positive multiple of 8");
        _seen = new byte[size];
    }

    /// <summary>Map size in bytes.</summary>
    public int Size => _seen.Length;

    /// <summary>Edges seen so far (map cells that were ever non-zero).</summary>
    public int Edges { get; private set; }

    /// <summary>(edge, bucket) pairs seen so far.</summary>
    public int Features { get; private set; }

    /// <summary>Bucket bits seen per cell (read-only view, for corpus minimization and tests).</summary>
    public ReadOnlySpan<byte> Seen => _seen;

    /// <summary>Compares a raw trace with what was seen; with <paramref name="commit"/> also records it.</summary>
    public Novelty Evaluate(ReadOnlySpan<byte> trace, bool commit)
    {
        CheckLength(trace);
        var v = new Evaluator(this, commit);
        ScanNonZeroWords(MemoryMarshal.Cast<byte, ulong>(trace), ref v);
        return new Novelty(v.NewEdges, v.NewBuckets);
    }

    /// <summary>True when the trace has a bucket bit never seen (Evaluate(trace, false).IsNew, stopping at the first).</summary>
    public bool HasNews(ReadOnlySpan<byte> trace)
    {
        CheckLength(trace);
        var v = new NewsFinder(_seen);
        ScanNonZeroWords(MemoryMarshal.Cast<byte, ulong>(trace), ref v);
        return v.Found;
    }

    /// <summary>The non-zero cells of a raw trace with their bucket bits, for a later <see cref="Evaluate(SparseTrace, bool)"/>.</summary>
    public static SparseTrace Capture(ReadOnlySpan<byte> trace)
    {
        if (trace.Length % 8 != 0) throw new ArgumentException("trace length must be a multiple of 8");
        ReadOnlySpan<ulong> words = MemoryMarshal.Cast<byte, ulong>(trace);
        var counter = new CellCounter();
        ScanNonZeroWords(words, ref counter);
        var collector = new CellCollector(new int[counter.Cells], new byte[counter.Cells]);
        ScanNonZeroWords(words, ref collector);
        return new SparseTrace(collector.Cells, collector.Buckets);
    }

    /// <summary>Evaluate over a captured trace: the same counts and the same commit as over the full trace it came from.</summary>
    public Novelty Evaluate(SparseTrace trace, bool commit)
    {
        int newEdges = 0, newBuckets = 0;
        int[] cells = trace.Cells;
        byte[] buckets = trace.Buckets;
        for (int k = 0; k < cells.Length; k++)
        {
            int i = cells[k];
            if ((uint)i >= (uint)_seen.Length) throw new ArgumentException($"cell {i} is outside a map of {_seen.Length} bytes");
            byte bucket = buckets[k];
            byte old = _seen[i];
            if ((bucket & ~old) == 0) continue;
            if (old == 0) newEdges++;
            else newBuckets++;
            if (commit) Record(i, old, bucket);
        }
        return new Novelty(newEdges, newBuckets);
    }

    /// <summary>Appends the (cell, bucket) features of a raw trace as integers cell*8+bit (ascending).</summary>
    public static void FeaturesOf(ReadOnlySpan<byte> trace, int offset, List<int> into)
    {
        var v = new FeatureLister(offset, into);
        ScanNonZeroWords(MemoryMarshal.Cast<byte, ulong>(trace), ref v);
    }

    private void Record(int i, byte old, byte bucket)
    {
        if (old == 0) Edges++;
        Features++;
        _seen[i] = (byte)(old | bucket);
    }

    private void CheckLength(ReadOnlySpan<byte> trace)
    {
        if (trace.Length != _seen.Length) throw new ArgumentException($"trace has {trace.Length} bytes, map has {_seen.Length}");
    }

    // What the scan does with each non-zero word (a struct, so the JIT specialises the scan per use).
    private interface IWordVisitor
    {
        /// <summary>Handles word number <paramref name="w"/> (raw != 0); false stops the scan.</summary>
        bool Visit(int w, ulong raw);
    }

    // Calls visitor.Visit for every non-zero word in order. Zero stretches go 4 words per Vector256
    // compare; the ragged end (maps are multiples of 8 bytes, not of 32) goes word by word.
    private static void ScanNonZeroWords<T>(ReadOnlySpan<ulong> words, ref T visitor) where T : struct, IWordVisitor
    {
        ref ulong first = ref MemoryMarshal.GetReference(words);
        int n = words.Length;
        int w = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            for (; w + 4 <= n; w += 4)
            {
                if (Vector256.LoadUnsafe(ref first, (nuint)w) == Vector256<ulong>.Zero) continue;
                for (int k = w; k < w + 4; k++)
                {
                    ulong raw = Unsafe.Add(ref first, k);
                    if (raw != 0 && !visitor.Visit(k, raw)) return;
                }
            }
        }
        for (; w < n; w++)
        {
            ulong raw = Unsafe.Add(ref first, w);
            if (raw != 0 && !visitor.Visit(w, raw)) return;
        }
    }

    // Byte k of a word as it lies in memory (endian-neutral).
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static byte CellOf(ref ulong raw, int k) => Unsafe.Add(ref Unsafe.As<ulong, byte>(ref raw), k);

    private struct NewsFinder(byte[] seen) : IWordVisitor
    {
        public bool Found;

        public bool Visit(int w, ulong raw)
        {
            if ((Classify(raw) & ~Unsafe.ReadUnaligned<ulong>(ref seen[w * 8])) == 0) return true;
            Found = true;
            return false;
        }
    }

    private struct Evaluator(VirginMap map, bool commit) : IWordVisitor
    {
        public int NewEdges;
        public int NewBuckets;

        public bool Visit(int w, ulong raw)
        {
            byte[] seen = map._seen;
            if ((Classify(raw) & ~Unsafe.ReadUnaligned<ulong>(ref seen[w * 8])) == 0) return true; // the common case
            for (int k = 0; k < 8; k++)
            {
                byte cell = CellOf(ref raw, k);
                if (cell == 0) continue;
                int i = w * 8 + k;
                byte bucket = HitCountBuckets.Of(cell);
                byte old = seen[i];
                if ((bucket & ~old) == 0) continue;
                if (old == 0) NewEdges++;
                else NewBuckets++;
                if (commit) map.Record(i, old, bucket);
            }
            return true;
        }
    }

    private struct CellCounter : IWordVisitor
    {
        public int Cells;

        public bool Visit(int w, ulong raw)
        {
            Cells += 8 - BitOperations.PopCount(ZeroBytes(raw));
            return true;
        }
    }

    private struct CellCollector(int[] cells, byte[] buckets) : IWordVisitor
    {
        private int _next;

        public readonly int[] Cells => cells;

        public readonly byte[] Buckets => buckets;

        public bool Visit(int w, ulong raw)
        {
            for (int k = 0; k < 8; k++)
            {
                byte cell = CellOf(ref raw, k);
                if (cell == 0) continue;
                cells[_next] = w * 8 + k;
                buckets[_next] = HitCountBuckets.Of(cell);
                _next++;
            }
            return true;
        }
    }

    private struct FeatureLister(int offset, List<int> into) : IWordVisitor
    {
        public readonly bool Visit(int w, ulong raw)
        {
            for (int k = 0; k < 8; k++)
            {
                byte cell = CellOf(ref raw, k);
                if (cell != 0) into.Add(checked((offset + w * 8 + k) * 8 + BitOperations.TrailingZeroCount(HitCountBuckets.Of(cell))));
            }
            return true;
        }
    }

    // The 8 raw counters of a word replaced by their bucket bits, 2 cells per table lookup.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong Classify(ulong raw)
    {
        ReadOnlySpan<ushort> t = HitCountBuckets.Table16;
        return t[(int)(raw & 0xFFFF)]
            | (ulong)t[(int)((raw >> 16) & 0xFFFF)] << 16
            | (ulong)t[(int)((raw >> 32) & 0xFFFF)] << 32
            | (ulong)t[(int)(raw >> 48)] << 48;
    }

    // One bit per zero byte of a word (bit 7 of that byte), for counting non-zero cells.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong ZeroBytes(ulong x)
    {
        const ulong Low7 = 0x7F7F7F7F7F7F7F7FUL;
        ulong y = (x & Low7) + Low7; // bit 7 set where the low 7 bits are non-zero
        return ~(y | x | Low7);      // bit 7 set only where the whole byte is zero
    }
}
