// AflSupervisor: supervised mode (fuzzing.md 2.6). This process speaks the forkserver protocol but
// never runs target code. It keeps one worker (`dotnet harness.dll afl-worker TARGET FILE --child`)
// and relays each execution to it over the worker's stdin/stdout, reporting the WORKER's pid to
// afl. On an afl timeout afl kills only the worker; on an uncatchable crash (stack overflow,
// FailFast) only the worker dies. Either way the supervisor sees EOF, reports the death as
// SIGBUS (AflFaultSignals.WorkerDied; afl files a timeout under hangs/ because it knows it killed
// it), and starts a fresh worker before it answers afl's next request, so the campaign goes on.
// A respawn costs a .NET start (~0.1-0.2 s) and re-runs static initialisation.
using Harness.Cli;
using System.Diagnostics;

namespace Harness.Fuzz.Afl;

public sealed class AflSupervisor : IDisposable
{
    private readonly string _target;
    private readonly string _inputPath;
    private readonly TextWriter _log;
    private Process? _worker;
    private Stream? _toWorker;
    private Stream? _fromWorker;
    private readonly byte[] _word = new byte[4];

    public AflSupervisor(string target, string inputPath, TextWriter log)
    {
        _target = target;
        _inputPath = inputPath;
        _log = log;
    }

    /// <summary>Workers started so far (the first one included).</summary>
    public int WorkersStarted { get; private set; }

    public int Run(AflForkserver server)
    {
        server.CloseOnExec();
        if (!StartWorker()) return ExitCodes.Finding;
        if (!server.SendHello(Instrumentation.SharpFuzzTrace.MapSize))
        {
            _log.WriteLine("afl-worker: cannot write the hello on the status pipe (not started by afl-fuzz?)");
            return ExitCodes.Usage;
        }
        while (server.WaitForRun(out _))
        {
            if (_worker is null && !StartWorker()) return ExitCodes.Finding;
            if (!server.ReportPid(_worker!.Id)) break;
            uint status;
            if (AflChildLoop.Write(_toWorker!, 1, _word) && AflChildLoop.ReadWord(_fromWorker!, _word))
            {
                status = BitConverter.ToUInt32(_word);
            }
            else
            {
                ReapWorker();
                status = AflProtocol.SignalledStatus(AflFaultSignals.WorkerDied);
            }
            if (!server.ReportStatus(status)) break;
            if (_worker is null && !StartWorker()) return ExitCodes.Finding;   // be ready before afl asks again
        }
        return ExitCodes.Ok;
    }

    private bool StartWorker()
    {
        var psi = new ProcessStartInfo(Instrumentation.DotnetHost.Path)
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = false,
        };
        psi.ArgumentList.Add(typeof(AflSupervisor).Assembly.Location);
        psi.ArgumentList.Add(AflWorkerCommand.CommandName);
        psi.ArgumentList.Add(_target);
        psi.ArgumentList.Add(_inputPath);
        psi.ArgumentList.Add("--child");
        psi.Environment.Remove(AflForkserver.FdsVariable);
        _worker = Process.Start(psi) ?? throw new InvalidOperationException("could not start the worker");
        WorkersStarted++;
        _toWorker = _worker.StandardInput.BaseStream;
        _fromWorker = _worker.StandardOutput.BaseStream;
        if (AflChildLoop.ReadWord(_fromWorker, _word) && BitConverter.ToUInt32(_word) == AflChildLoop.Ready) return true;
        _log.WriteLine($"afl-worker: worker {_worker.Id} did not start (no ready word)");
        ReapWorker();
        return false;
    }

    private void ReapWorker()
    {
        if (_worker is null) return;
        if (!_worker.WaitForExit(5000)) _worker.Kill();
        _worker.WaitForExit();
        _log.WriteLine($"afl-worker: worker {_worker.Id} ended with exit code {_worker.ExitCode}; respawning");
        _worker.Dispose();
        _worker = null;
        _toWorker = null;
        _fromWorker = null;
    }

    public void Dispose()
    {
        if (_worker is null) return;
        try
        {
            _toWorker?.Dispose();                 // EOF: the worker exits by itself
            if (!_worker.WaitForExit(2000)) _worker.Kill();
        }
        catch (InvalidOperationException)
        {
        }
        _worker.Dispose();
        _worker = null;
    }
}
