// Runs a child process with its output to a log file and a wall-clock timeout (the campaign's
// only use of the clock: it decides when to give up on a hung build or gate, never what runs).
// A timeout or a cancel kills the child's whole process tree.
using System.Diagnostics;

namespace Mutate;

public sealed record ProcResult(int ExitCode, bool TimedOut, bool Cancelled, double Seconds);

public static class Proc
{
    private static Process? s_current;

    /// <summary>Kills the running child (from the Ctrl-C / SIGTERM handler).</summary>
    public static void KillCurrent()
    {
        Process? p = s_current;
        try { if (p is { HasExited: false }) p.Kill(entireProcessTree: true); } catch (InvalidOperationException) { }
    }

    public static ProcResult Run(string exe, IEnumerable<string> args, string cwd, string logPath, int timeoutSeconds,
        IReadOnlyDictionary<string, string>? env, Func<bool> cancelled)
    {
        var psi = new ProcessStartInfo(exe) { WorkingDirectory = cwd, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string a in args) psi.ArgumentList.Add(a);
        if (env is not null) foreach (var (k, v) in env) psi.Environment[k] = v;
        var sw = Stopwatch.StartNew();
        using var log = new StreamWriter(logPath) { AutoFlush = true };
        using var p = new Process { StartInfo = psi };
        var gate = new object();
        p.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (gate) log.WriteLine(e.Data); };
        p.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (gate) log.WriteLine(e.Data); };
        p.Start();
        s_current = p;
        p.BeginOutputReadLine();
        p.BeginErrorReadLine();
        bool timedOut = false;
        while (!p.WaitForExit(500))
        {
            if (cancelled()) break;
            if (sw.Elapsed.TotalSeconds > timeoutSeconds) { timedOut = true; break; }
        }
        // Cancelled whenever the stop flag is up, also when the stop handler's own kill has already
        // ended the child (its exit code, 137, is then the kill's, not a verdict of the gate).
        bool wasCancelled = !timedOut && cancelled();
        if (!p.HasExited)
        {
            try { p.Kill(entireProcessTree: true); } catch (InvalidOperationException) { }
            p.WaitForExit();
        }
        else p.WaitForExit(); // drains the asynchronous readers
        s_current = null;
        return new ProcResult(timedOut || wasCancelled ? -1 : p.ExitCode, timedOut, wasCancelled, sw.Elapsed.TotalSeconds);
    }
}
