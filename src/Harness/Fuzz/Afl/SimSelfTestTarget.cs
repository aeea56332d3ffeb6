// SimSelfTestTarget ("sim-selftest"): a tiny fuzz target over the simulated heap, for testing the
// AFL++ plumbing independently of the allocator target. Its work happens in Allocator.dll
// (SimHeap/SimMemory), so an instrumented Allocator gives it real IL coverage.
//
// Input: pairs of bytes (op, arg). op % 4: 0 malloc(arg * 8 + 1), 1 free(live[arg % n]),
// 2 realloc(live[arg % n], arg * 16), 3 write a byte into live[arg % n]. Then everything is freed
// and the heap must be empty. Planted behaviours, keyed by a 4-byte prefix:
//   "FUZZ"  -> invariant-failed (a deterministic, classified crash)
//   "SEGV"  -> free() of a non-block, a real SimFaultException -> fault
//   "DIE!"  -> Environment.FailFast: an uncatchable crash (only the supervisor survives it)
//   "HANG"  -> never returns (a wall-clock hang: afl's timeout)
using Allocator.Common;
using Allocator.Sim;
using Harness.Core;

namespace Harness.Fuzz.Afl;

public sealed class SimSelfTestTarget : IFuzzTarget
{
    public const string TargetName = "sim-selftest";

    public string Name => TargetName;

    public Outcome Execute(ReadOnlySpan<byte> input)
    {
        if (input.StartsWith("FUZZ"u8)) return new Outcome(OutcomeKind.InvariantFailed, 0, "selftest/planted", "planted failure on prefix FUZZ");
        if (input.StartsWith("DIE!"u8)) Environment.FailFast("sim-selftest: planted uncatchable crash on prefix DIE!");
        if (input.StartsWith("HANG"u8))
#pragma warning disable RS0030 // a planted real hang, for the AFL++ hang test: it must not be a scheduling point
            while (true) Thread.Sleep(1000);
#pragma warning restore RS0030

        var memory = new SimMemory(heapMax: 1UL << 24, initialHeapCapacity: 1 << 12);
        var heap = new SimHeap(memory);
        var live = new List<ulong>();
        int index = 0;
        try
        {
            if (input.StartsWith("SEGV"u8)) heap.Free(SimMemory.HeapBase + 8);
            for (; index + 1 < input.Length && index < 512; index += 2)
            {
                byte op = input[index], arg = input[index + 1];
                switch (op % 4)
                {
                    case 0:
                        live.Add(heap.Malloc((ulong)arg * 8 + 1));
                        break;
                    case 1 when live.Count > 0:
                        int f = arg % live.Count;
                        heap.Free(live[f]);
                        live.RemoveAt(f);
                        break;
                    case 2 when live.Count > 0:
                        int r = arg % live.Count;
                        live[r] = heap.Realloc(live[r], (ulong)arg * 16 + 1);
                        break;
                    case 3 when live.Count > 0:
                        memory.WriteU8(live[arg % live.Count], arg);
                        break;
                }
            }
            foreach (ulong p in live) heap.Free(p);
            if (heap.OutstandingBlocks != 0)
                return new Outcome(OutcomeKind.Leak, index / 2, "selftest/leak", $"{heap.OutstandingBlocks} blocks left");
            return Outcome.Ok;
        }
        catch (SimFaultException e)
        {
            return new Outcome(OutcomeKind.Fault, index / 2, "selftest/simfault", e.Message);
        }
        catch (PgErrorException e)
        {
            return new Outcome(OutcomeKind.ModelMismatch, index / 2, "selftest/error", e.Message);
        }
    }

    public IReadOnlyList<string> Disassemble(ReadOnlySpan<byte> input)
    {
        var lines = new List<string>();
        for (int i = 0; i + 1 < input.Length && i < 512; i += 2)
            lines.Add($"{i / 2}: {(input[i] % 4) switch { 0 => "malloc", 1 => "free", 2 => "realloc", _ => "write" }} {input[i + 1]}");
        return lines;
    }
}
