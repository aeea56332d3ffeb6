// AllocatorWorkload: deterministic workloads over the port, returning a digest of everything they
// observed (addresses, sizes, contents, counters, exceptions, target outcomes). The equivalence
// test runs them against the real and the instrumented Allocator.dll and requires equal digests.
using System.Text;
using Allocator.Common;
using Allocator.Sim;
using Harness.Core;
using Harness.Fuzz;

namespace Harness.Tests.Fuzz.Instrumentation;

public static class AllocatorWorkload
{
    /// <summary>Random malloc/realloc/free/write/read traffic on the simulated heap.</summary>
    public static string SimHeapDigest(long seed, int steps)
    {
        var rng = new Prng((ulong)seed);
        var memory = new SimMemory(heapMax: 1UL << 26, initialHeapCapacity: 1 << 16);
        var heap = new SimHeap(memory, new SimHeapOptions { PoisonOnFree = true, FailWhen = (call, size) => call % 97 == 13 });
        var live = new List<ulong>();
        var sb = new StringBuilder();
        for (int i = 0; i < steps; i++)
        {
            try
            {
                switch (rng.Index(6))
                {
                    case 0:
                    case 1:
                        ulong p = heap.Malloc((ulong)rng.Range(0, 300_000));
                        sb.Append('m').Append(p);
                        if (p != 0) live.Add(p);
                        break;
                    case 2 when live.Count > 0:
                        int f = rng.Index(live.Count);
                        heap.Free(live[f]);
                        sb.Append('f').Append(live[f]);
                        live.RemoveAt(f);
                        break;
                    case 3 when live.Count > 0:
                        int r = rng.Index(live.Count);
                        live[r] = heap.Realloc(live[r], (ulong)rng.Range(1, 5000));
                        sb.Append('r').Append(live[r]);
                        break;
                    case 4 when live.Count > 0:
                        ulong w = live[rng.Index(live.Count)];
                        memory.WriteU64(w, rng.NextU64());
                        sb.Append('w').Append(memory.ReadU64(w));
                        break;
                    case 5:
                        heap.Free(SimMemory.HeapBase + (ulong)rng.Range(0, 4096));   // usually a fault
                        sb.Append("F!");
                        break;
                }
            }
            catch (SimFaultException e)
            {
                sb.Append("[fault:").Append(e.Message).Append(']');
            }
            catch (PgErrorException e)
            {
                sb.Append("[error:").Append(e.Message).Append(']');
            }
            sb.Append(';');
        }
        sb.Append(heap.OutstandingBlocks).Append('/').Append(heap.OutstandingBytes).Append('/').Append(heap.PeakBytes).Append('/').Append(heap.Calls);
        return sb.ToString();
    }

    /// <summary>Outcomes of a registered fuzz target on random inputs (the allocator target drives the whole port plus its model).</summary>
    public static string TargetDigest(string target, long seed, int inputs)
    {
        IFuzzTarget t = FuzzTargets.Create(SystemRegistry.Default, target);
        var rng = new Prng((ulong)seed);
        var sb = new StringBuilder();
        for (int i = 0; i < inputs; i++)
        {
            byte[] input = new byte[rng.Index(512)];
            for (int k = 0; k < input.Length; k++) input[k] = (byte)rng.NextU32();
            Outcome o = t.Execute(input);
            sb.Append(o.Kind).Append('@').Append(o.Step).Append(':').Append(o.Site).Append(':').Append(o.Reason).Append('\n');
        }
        return sb.ToString();
    }
}
