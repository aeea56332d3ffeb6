// DeadlockAnalyzer: explains a deadlock, reported the moment no backend can run while some have not
// exited. For each blocked backend it names the wait target (the lock it sleeps for, the spinlock
// or word it spins on, the semaphore), the holders of that target, and then either the wait-for
// cycle or, if there is none, a lost-wakeup diagnosis (nobody who could ever post the semaphore or
// change the word is alive or unblocked).
using System.Text;
using Allocator.Sync;
using Harness.Core;

namespace Harness.Explore;

internal static class DeadlockAnalyzer
{
    public static ExplorationFailure Analyze(IWaitGraph e, int step)
    {
        int n = e.BackendCount;
        var waits = new List<int>[n];
        var lines = new StringBuilder();
        for (int b = 0; b < n; b++)
        {
            waits[b] = new List<int>();
            if (!e.IsRunning(b)) continue;
            SyncOpKind pKind = e.PendingKind(b);
            ulong pObj = e.PendingObj(b);
            string what = e.WaitWhat(b) ?? "";
            ulong target;
            string desc;
            if (pKind == SyncOpKind.SemLock)
            {
                target = what.Length > 0 ? e.WaitObj(b) : pObj;
                desc = what.Length > 0 ? $"sleeps on {e.NameOf(pObj)} waiting for {what}" : $"sleeps on {e.NameOf(pObj)}";
            }
            else
            {
                target = pObj;
                desc = $"spins on {e.NameOf(pObj)} (word 0x{e.PendingWord(b):x}, waiting for it to change)";
            }
            var holders = new List<int>();
            for (int h = 0; h < n; h++)
            {
                if (h == b) continue;
                foreach (var (obj, mode) in e.HeldBy(h))
                    if (obj == target) { holders.Add(h); break; }
            }
            int spinHolder = e.SpinHolder(target);
            if (spinHolder >= 0 && spinHolder != b && !holders.Contains(spinHolder)) holders.Add(spinHolder);
            holders.Sort();
            waits[b].AddRange(holders);
            string held = string.Join(", ", e.HeldBy(b).Select(x => $"{e.NameOf(x.Obj)} {x.Mode}"));
            lines.Append($"\n  backend {b}: {desc}; holders: {(holders.Count == 0 ? "none" : string.Join(",", holders.Select(h => $"{h}{(e.IsFinished(h) ? " (exited)" : "")}")))}; holds: {(held.Length == 0 ? "nothing" : held)}");
        }
        List<int>? cycle = FindCycle(waits, n);
        if (cycle is not null)
        {
            string path = string.Join(" -> ", cycle.Select(c => $"backend {c}"));
            return new ExplorationFailure(OutcomeKind.Deadlock, "cycle", $"deadlock: nothing can run; wait-for cycle {path}{lines}", -1, step);
        }
        bool leaked = false;
        for (int b = 0; b < n; b++) foreach (int h in waits[b]) if (e.IsFinished(h)) leaked = true;
        string site = leaked ? "leaked-lock" : "lost-wakeup";
        string why = leaked
            ? "no wait-for cycle: a backend exited while still holding what others wait for"
            : "no wait-for cycle: every blocked backend waits for a wakeup or a change that no runnable backend will ever make (a lost wakeup)";
        return new ExplorationFailure(leaked ? OutcomeKind.Deadlock : OutcomeKind.LostWakeup, site, $"deadlock: nothing can run; {why}{lines}", -1, step);
    }

    private static List<int>? FindCycle(List<int>[] waits, int n)
    {
        var color = new int[n];
        var stack = new List<int>();
        for (int s = 0; s < n; s++)
        {
            List<int>? c = Dfs(s, waits, color, stack);
            if (c is not null) return c;
        }
        return null;
    }

    private static List<int>? Dfs(int v, List<int>[] waits, int[] color, List<int> stack)
    {
        if (color[v] == 2) return null;
        if (color[v] == 1)
        {
            int at = stack.IndexOf(v);
            var cycle = stack.Skip(at).ToList();
            cycle.Add(v);
            return cycle;
        }
        color[v] = 1;
        stack.Add(v);
        foreach (int w in waits[v])
        {
            List<int>? c = Dfs(w, waits, color, stack);
            if (c is not null) return c;
        }
        stack.RemoveAt(stack.Count - 1);
        color[v] = 2;
        return null;
    }
}
