// Workloads: the allocator workloads W1-W4 exactly as ../shared/reference/allocator-benchmark.md
// defines them, written once against a tiny allocator interface so that the port (production and
// checking builds) and .NET NativeMemory run the very same loops in the same process.
//
// Sizes come from the LCG x = x*6364136223846793005 + 1442695040888963407 (mod 2^64), x0 = 42,
// advanced before each draw, size = 8 + (x >> 33) % 1017, restarted at 42 for every pass of W2 and
// W3. Every allocation gets one byte written; W4 also writes the last byte after each realloc; one
// byte per round is read back into a checksum so nothing is optimised away.
namespace Allocator.Bench.Mmgr;

/// <summary>What a workload needs from an allocator. Implementations are structs used through
/// generic type parameters, so the JIT compiles one specialised loop per allocator and inlines the
/// calls (for a class it would share one loop and dispatch every call through the interface).</summary>
public interface IBenchAllocator
{
    ulong Alloc(ulong size);
    void Free(ulong p);
    ulong Realloc(ulong p, ulong size);
    /// <summary>MemoryContextReset for the port; freeing everything allocated since the last reset otherwise.</summary>
    void Reset();
    void Poke(ulong p, byte value);
    byte Peek(ulong p);
}

public static class Workloads
{
    public const int W1Pairs = 10_000_000;
    public const int W2Rounds = 10_000;
    public const int W2Batch = 1_000;
    public const int W3Rounds = 1_000_000;
    public const int W3Batch = 100;
    public const int W4Rounds = 200_000;
    public const ulong W4Max = 65536;

    /// <summary>Operations per pass, as the reference counts them (each palloc, pfree, repalloc, reset is one).</summary>
    public const int W1Ops = 2 * W1Pairs;
    public const int W2Ops = 2 * W2Rounds * W2Batch;
    public const int W3OpsPort = W3Rounds * (W3Batch + 1);
    public const int W4Ops = W4Rounds * 14;

    private static readonly ulong[] W1Sizes = [16, 32, 64, 128, 256, 24, 40, 100];

    private static ulong NextSize(ref ulong x)
    {
        x = unchecked(x * 6364136223846793005UL + 1442695040888963407UL);
        return 8 + (x >> 33) % 1017;
    }

    public static ulong W1<T>(T a, int pairs = W1Pairs) where T : IBenchAllocator
    {
        ulong sum = 0;
        ulong[] sizes = W1Sizes;
        for (int i = 0; i < pairs; i++)
        {
            ulong p = a.Alloc(sizes[i & 7]);
            a.Poke(p, (byte)i);
            sum += a.Peek(p);
            a.Free(p);
        }
        return sum;
    }

    public static ulong W2<T>(T a, ulong[] scratch, int rounds = W2Rounds) where T : IBenchAllocator
    {
        ulong sum = 0;
        for (int r = 0; r < rounds; r++)
        {
            ulong x = 42;
            for (int i = 0; i < W2Batch; i++)
            {
                ulong p = a.Alloc(NextSize(ref x));
                a.Poke(p, (byte)i);
                scratch[i] = p;
            }
            sum += a.Peek(scratch[0]);
            for (int i = W2Batch - 1; i >= 0; i--) a.Free(scratch[i]);
        }
        return sum;
    }

    public static ulong W3<T>(T a, ulong[] scratch, int rounds = W3Rounds) where T : IBenchAllocator
    {
        ulong sum = 0;
        for (int r = 0; r < rounds; r++)
        {
            ulong x = 42;
            for (int i = 0; i < W3Batch; i++)
            {
                ulong p = a.Alloc(NextSize(ref x));
                a.Poke(p, (byte)i);
                scratch[i] = p;
            }
            sum += a.Peek(scratch[W3Batch - 1]);
            a.Reset();
        }
        return sum;
    }

    public static ulong W4<T>(T a, int rounds = W4Rounds) where T : IBenchAllocator
    {
        ulong sum = 0;
        for (int r = 0; r < rounds; r++)
        {
            ulong p = a.Alloc(16);
            a.Poke(p, 1);
            for (ulong size = 32; size <= W4Max; size *= 2)
            {
                p = a.Realloc(p, size);
                a.Poke(p + size - 1, 2);
            }
            sum += a.Peek(p);
            a.Free(p);
        }
        return sum;
    }
}
