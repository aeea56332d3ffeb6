// Two backends on real threads (ProductionSyncRuntime) allocating and freeing in one area at once:
// the pool and area locks must keep every object intact and the structure consistent. The
// schedule is the OS's, so this is a smoke test; the explorer owns systematic interleavings.
using Allocator.Dsa;
using Xunit;

namespace Allocator.Tests.Dsa;

public sealed class DsaConcurrentTests
{
    [Fact]
    public void TwoThreads_AllocateAndFree_KeepTheAreaConsistent()
    {
        var r = new DsaRig(init: DsaSizeClasses.DSA_MIN_SEGMENT_SIZE, options: new DsaOptions { Fpm = new FpmOptions { FixRootPageLeak = true } });
        DsaArea a1 = r.AttachOther(1);
        DsaArea[] areas = [r.A, a1];
        var kept = new List<(ulong dp, ulong size)>[2];
        var failures = new System.Collections.Concurrent.ConcurrentQueue<string>();
        ulong[] sizes = [8, 24, 100, 512, 1500, 4096, 8192, 9000, 30000];
        var threads = new Thread[2];
        for (int t = 0; t < 2; t++)
        {
            int me = t;
            kept[me] = new List<(ulong, ulong)>();
            threads[t] = new Thread(() =>
            {
                try
                {
                    DsaArea a = areas[me];
                    var rng = new Random(77 + me);
                    var mine = kept[me];
                    for (int i = 0; i < 1500; i++)
                    {
                        if (mine.Count == 0 || rng.Next(5) < 3)
                        {
                            ulong size = sizes[rng.Next(sizes.Length)];
                            ulong dp = a.dsa_allocate(size);
                            ulong p = a.dsa_get_address(dp);
                            a.M.WriteU8(p, (byte)(dp * 13 + (ulong)me));
                            a.M.WriteU8(p + size - 1, (byte)(dp * 17 + (ulong)me));
                            mine.Add((dp, size));
                        }
                        else
                        {
                            int k = rng.Next(mine.Count);
                            (ulong dp, ulong size) = mine[k];
                            ulong p = a.dsa_get_address(dp);
                            if (a.M.ReadU8(p) != (byte)(dp * 13 + (ulong)me) || a.M.ReadU8(p + size - 1) != (byte)(dp * 17 + (ulong)me))
                                failures.Enqueue($"backend {me}: object {dp:x} overwritten");
                            a.dsa_free(dp);
                            mine.RemoveAt(k);
                        }
                    }
                }
                catch (Exception e)
                {
                    failures.Enqueue($"backend {me}: {e}");
                }
            });
        }
        foreach (Thread th in threads) th.Start();
        foreach (Thread th in threads) th.Join();
        Assert.True(failures.IsEmpty, string.Join("\n", failures.Take(5)));
        var all = kept[0].Concat(kept[1]).ToList();
        Assert.Equal(all.Count, all.Select(x => x.dp).Distinct().Count());
        var live = all.ToDictionary(x => x.dp, x => x.size);
        List<string> errors = DsaCheck.Check(r.A, new DsaCheckOptions { Live = live }, areas);
        Assert.True(errors.Count == 0, string.Join("\n", errors.Take(10)));
    }
}
