// FreelistCheck: the free-list and clock invariants of spec §19.4, for a StrategyControl block and
// its descriptors. Run at quiescence (nobody holds buffer_strategy_lock or is inside
// StrategyGetBuffer); reads through the descriptor array's own mapping (the segment holding the
// block must be mapped there too). Numbers are the spec's:
//
//   F1  the list from firstFreeBuffer follows freeNext to FREENEXT_END_OF_LIST with no cycle, no
//       duplicate, no out-of-range link, length <= NBuffers; when it is non-empty lastFreeBuffer
//       is its last member.
//   F2  freeNext == FREENEXT_NOT_IN_LIST exactly for the buffers not on the list.
//   F4  (quiescent corollary) every drawn wrap ticket has folded the hand, so nextVictimBuffer <=
//       NBuffers (exactly NBuffers when the last tick drew NBuffers-1: the fold belongs to whoever
//       draws ticket NBuffers next); completePasses did not go below a previously observed value,
//       if one is given.
//   F6  each given ring: 0 <= current < nbuffers, slots empty or valid buffer numbers.
//   F7  each given ring's size is one GetAccessStrategyWithSize (freelist.c) can produce: at least
//       one buffer, as many slots as buffers, not BAS_NORMAL (GetAccessStrategy returns NULL for
//       it), and for a ring of a pool at most NBuffers / 8 ("Cap to 1/8th of shared_buffers").
//   SL  buffer_strategy_lock is free.
//
// Not checked: "free-list members are unpinned". The clock sweep hands out buffers without taking
// them off the list, and BufferAlloc's collision path frees a buffer it still pins, so a listed
// buffer can legitimately be pinned; once every transaction has ended, P2 (every refcount 0)
// covers the list too.
#pragma warning disable CA1707 // PostgreSQL's names
using Allocator.Sim;
using static Allocator.Buffers.BufferConstants;

namespace Allocator.Buffers;

[System.Diagnostics.CodeAnalysis.ExcludeFromCodeCoverage]   // oracle code: probestrip keeps SharpFuzz's probes out of it
public static class FreelistCheck
{
    public static List<string> Check(StrategyControl sc, IEnumerable<BufferAccessStrategy?>? rings = null,
        uint? previousCompletePasses = null)
    {
        var errors = new List<string>();
        BufferDescriptors descs = sc.Descriptors;
        SimMemory m = descs.InitMemory;
        int n = sc.NBuffers;

        if (sc.LockHeld(m)) errors.Add("SL: buffer_strategy_lock still held at quiescence");

        // F1: walk the list
        var onList = new bool[n];
        int first = sc.FirstFreeBuffer(m);
        int last = -1, length = 0;
        int cur = first;
        while (cur != FREENEXT_END_OF_LIST)
        {
            if (cur < 0 || cur >= n)
            {
                errors.Add(length == 0
                    ? $"F1: firstFreeBuffer is {cur}, neither a buffer id nor FREENEXT_END_OF_LIST"
                    : $"F1: buffer {last} links to {cur}, neither a buffer id nor FREENEXT_END_OF_LIST");
                break;
            }
            if (onList[cur])
            {
                errors.Add($"F1: buffer {cur} reached twice: the free list has a cycle");
                break;
            }
            onList[cur] = true;
            length++;
            last = cur;
            cur = sc.FreeNextOf(m, cur);
        }
        if (length > n) errors.Add($"F1: free list of {length} buffers exceeds NBuffers {n}");
        if (length > 0 && cur == FREENEXT_END_OF_LIST && sc.LastFreeBuffer(m) != last)
            errors.Add($"F1: lastFreeBuffer is {sc.LastFreeBuffer(m)} but the list ends at buffer {last}");

        // F2: the NOT_IN_LIST marks agree with membership
        for (int i = 0; i < n; i++)
        {
            int next = sc.FreeNextOf(m, i);
            if (onList[i] && next == FREENEXT_NOT_IN_LIST)
                errors.Add($"F2: buffer {i} is on the free list but its freeNext is FREENEXT_NOT_IN_LIST");
            else if (!onList[i] && next != FREENEXT_NOT_IN_LIST)
                errors.Add($"F2: buffer {i} is not on the free list but its freeNext is {next}");
        }

        // F4
        uint nv = sc.NextVictimBuffer(m);
        if (nv > (uint)n) errors.Add($"F4: nextVictimBuffer {nv} exceeds NBuffers {n} at quiescence (a wrap fold is missing)");
        uint passes = sc.CompletePasses(m);
        if (previousCompletePasses is uint prev && passes < prev)
            errors.Add($"F4: completePasses went down from {prev} to {passes}");

        // F6
        if (rings is not null)
        {
            int r = 0;
            foreach (BufferAccessStrategy? ring in rings)
            {
                if (ring is not null) errors.AddRange(ring.Check($"ring {r}"));
                r++;
            }
        }
        return errors;
    }
}
