// CDriverProcess: one long-running tools/pg-golden/mmgr driver (PostgreSQL's C memory contexts)
// over pipes. Run(ops) writes the op lines and "." and reads the driver's text up to its "end"
// line (or a "crash N" line: the C side died on the stream; the driver itself lives on, as every
// stream runs in a forked child). One per fuzz worker: a process serves one stream at a time.
using System.Diagnostics;
using System.Text;
using Harness.Systems.Mmgr.Oracle;

namespace Harness.Systems.Mmgr.Golden;

public sealed class CDriverProcess : IDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _in = new();
    private readonly StringBuilder _out = new();

    /// <param name="heapMax">The driver's HEAP_MAX argument (the heap's limit in bytes).</param>
    public CDriverProcess(string driverPath, ulong heapMax)
    {
        var psi = new ProcessStartInfo(driverPath)
        {
            ArgumentList = { heapMax.ToString(System.Globalization.CultureInfo.InvariantCulture) },
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        _process = Process.Start(psi) ?? throw new InvalidOperationException($"could not start {driverPath}");
        // The C side prints MemoryContextStats to stderr on out-of-memory: drain it so it never blocks.
        _process.ErrorDataReceived += (_, _) => { };
        _process.BeginErrorReadLine();
        DriverPath = driverPath;
    }

    public string DriverPath { get; }

    /// <summary>The C driver's text for the ops (its op lines are each op's ToString).</summary>
    public string Run(IReadOnlyList<AllocatorOp> ops)
    {
        _in.Clear();
        foreach (AllocatorOp op in ops) _in.Append(op).Append('\n');
        _in.Append(".\n");
        _process.StandardInput.Write(_in.ToString());
        _process.StandardInput.Flush();
        _out.Clear();
        for (;;)
        {
            string line = _process.StandardOutput.ReadLine()
                ?? throw new InvalidOperationException($"{DriverPath} exited (code {(_process.HasExited ? _process.ExitCode : -1)})");
            _out.Append(line).Append('\n');
            if (line == "end" || line.StartsWith("crash ", StringComparison.Ordinal)) break;
        }
        // An empty stream still runs (and prints "end"); a crash line may follow a partial text.
        return _out.ToString();
    }

    public void Dispose()
    {
        try
        {
            _process.StandardInput.Close();
            if (!_process.WaitForExit(5000)) _process.Kill();
        }
        catch (InvalidOperationException)
        {
            // already gone
        }
        _process.Dispose();
    }
}
