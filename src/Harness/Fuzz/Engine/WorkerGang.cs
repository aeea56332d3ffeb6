// WorkerGang: W workers that run one job at a time together: worker 0 on the calling (main) thread,
// workers 1..W-1 on dedicated background threads, started once per engine run. A job is handed
// out and collected with one barrier phase each (start, end), so nothing of it overlaps the main
// thread's work between jobs, and the barrier gives the memory ordering: what the main thread wrote
// before RunOnAll is visible to the workers, what they wrote is visible after it returns.
//
// Which worker runs what is fixed by the job (the engine: candidate j on worker j mod W), never by
// timing. An exception inside a job is caught on its worker and rethrown on the main thread (the
// lowest worker index first) once every worker has finished the job.

namespace Harness.Fuzz.Engine;

internal sealed class WorkerGang : IDisposable
{
    private readonly int _count;
    private readonly Thread[] _threads;
    private readonly Barrier? _barrier;
    private readonly Exception?[] _errors;
    private Action<int>? _job;
    private bool _stopping;
    private bool _disposed;

    /// <param name="count">Workers including the calling thread's (1..FuzzEngineOptions.MaxWorkers).</param>
    public WorkerGang(int count)
    {
        if (count < 1 || count > FuzzEngineOptions.MaxWorkers)
            throw new ArgumentOutOfRangeException(nameof(count), $"workers must be 1..{FuzzEngineOptions.MaxWorkers}");
        _count = count;
        _errors = new Exception?[count];
        _threads = new Thread[count - 1];
        if (count == 1) return;
        _barrier = new Barrier(count);
        for (int i = 1; i < count; i++)
        {
            int index = i;
            _threads[i - 1] = new Thread(() => Loop(index)) { IsBackground = true, Name = $"fuzz worker {index}" };
            _threads[i - 1].Start();
        }
    }

    public int Count => _count;

    /// <summary>Runs job(worker index) on every worker, each on its own thread, and returns when all are done.</summary>
    public void RunOnAll(Action<int> job)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_barrier is null)
        {
            job(0);
            return;
        }
        _job = job;
        _barrier.SignalAndWait(); // start: the workers see _job
        RunCaught(0);
        _barrier.SignalAndWait(); // end: every worker finished
        _job = null;
        for (int i = 0; i < _count; i++)
        {
            if (_errors[i] is not Exception e) continue;
            Array.Clear(_errors);
            throw new InvalidOperationException($"fuzz worker {i} failed: {e.Message}", e);
        }
    }

    private void Loop(int index)
    {
        while (true)
        {
            _barrier!.SignalAndWait();
            if (_stopping) return;
            RunCaught(index);
            _barrier.SignalAndWait();
        }
    }

    private void RunCaught(int index)
    {
        try
        {
            _job!(index);
        }
        catch (Exception e)
        {
            _errors[index] = e;
        }
    }

    /// <summary>Stops and joins the worker threads.</summary>
    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        if (_barrier is null) return;
        _stopping = true;
        _barrier.SignalAndWait();
        foreach (Thread t in _threads) t.Join();
        _barrier.Dispose();
    }
}
