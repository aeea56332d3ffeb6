// ProgressSink: the one engine-neutral status display of long runs (fuzz, explore, check, gate,
// cmin). It observes the campaign's EventLog (the same numbers the JSONL gets), folds them with
// ProgressState and hands snapshots to a renderer, at most one per renderer interval plus a timer
// tick (so elapsed moves while an engine is quiet). Commands write their own lines to Out: the
// command's stdout itself, or under the live panel a writer that prints each line above the panel.
//
// Determinism: the sink reads the wall clock only to pace drawing and to show elapsed time; it
// never calls back into the engine, so what runs is the same with or without it, in every mode.
using Harness.Core;

namespace Harness.Report.Progress;

public sealed class ProgressSink : IEventObserver, IDisposable
{
    private readonly Lock _lock = new();
    private readonly ProgressState _state = new();
    private readonly IProgressRenderer? _renderer;
    private readonly WallClock _clock = WallClock.StartNew();
    private readonly Timer? _timer;
    private double _lastShown;
    private bool _closed;

    /// <summary>A sink drawing with <paramref name="renderer"/> (null: none); the command writes to <paramref name="stdout"/>.</summary>
    public ProgressSink(ProgressMode mode, IProgressRenderer? renderer, TextWriter stdout, bool tick = true)
    {
        Mode = mode;
        _renderer = renderer;
        Out = renderer is LiveProgress ? new AboveWriter(this) : stdout;
        double period = renderer is null ? 0 : Math.Max(1.0, renderer.IntervalSeconds);
        if (tick && renderer is not null && renderer.IntervalSeconds > 0)
            _timer = new Timer(_ => Tick(), null, TimeSpan.FromSeconds(period), TimeSpan.FromSeconds(period));
    }

    public ProgressMode Mode { get; }

    /// <summary>Where the command writes its own lines while the sink is open.</summary>
    public TextWriter Out { get; }

    /// <summary>The sink for a command: --progress <paramref name="option"/> (null: auto), stdout and stderr as
    /// Program.Run got them; <paramref name="machineOutputOnStdout"/> when JSONL, JUnit or SARIF go to stdout.</summary>
    public static ProgressSink Open(string? option, TextWriter stdout, TextWriter stderr, bool machineOutputOnStdout = false)
    {
        ProgressMode mode = ProgressModes.Choose(ProgressModes.Parse(option), ReferenceEquals(stdout, Console.Out),
            Console.IsOutputRedirected, Environment.GetEnvironmentVariable("CI"), machineOutputOnStdout);
        IProgressRenderer? renderer = mode switch
        {
            ProgressMode.Live => new LiveProgress(stdout, TerminalWidth),
            ProgressMode.Plain => new PlainProgress(stderr, stdout),
            _ => null,
        };
        // The timer draws from another thread: only onto the process's own console, whose writers are
        // synchronised; a caller's writer (a test's StringWriter) gets lines on the command's thread alone.
        bool tick = mode == ProgressMode.Live ? ReferenceEquals(stdout, Console.Out) : ReferenceEquals(stderr, Console.Error);
        return new ProgressSink(mode, renderer, stdout, tick);
    }

    public ProgressSnapshot Snapshot
    {
        get
        {
            lock (_lock) return _state.Snapshot;
        }
    }

    public void OnEvent(string engine, string eventName, double elapsedSeconds, IReadOnlyList<(string Name, object? Value)> fields)
    {
        lock (_lock)
        {
            if (_closed) return;
            _state.Apply(engine, eventName, elapsedSeconds, fields);
            _state.Tick(_clock.Elapsed.TotalSeconds);
            if (_renderer is null || eventName == "end") return;
            bool first = _lastShown == 0 && eventName == "start";
            double now = _clock.Elapsed.TotalSeconds;
            if ((first && _renderer is LiveProgress) || (!first && now - _lastShown >= _renderer.IntervalSeconds)) Show(now);
        }
    }

    private void Tick()
    {
        lock (_lock)
        {
            if (_closed || _renderer is null || _state.Snapshot.Engine.Length == 0) return;
            double now = _clock.Elapsed.TotalSeconds;
            _state.Tick(now);
            if (now - _lastShown >= _renderer.IntervalSeconds) Show(now);
        }
    }

    private void Show(double now)
    {
        _lastShown = Math.Max(now, 1e-9);
        _renderer!.Show(_state.Snapshot, final: false);
    }

    private void WriteAbove(string line)
    {
        lock (_lock)
        {
            if (_renderer is null) return;
            _renderer.Line(line);
        }
    }

    private static int TerminalWidth()
    {
        try
        {
            return Console.WindowWidth > 0 ? Console.WindowWidth : 80;
        }
        catch (IOException)
        {
            return 80;
        }
    }

    public void Dispose()
    {
        _timer?.Dispose();
        if (Out is AboveWriter above) above.FlushPartial();
        lock (_lock)
        {
            if (_closed) return;
            _closed = true;
            if (_renderer is not null && _state.Snapshot.Engine.Length > 0) _renderer.Show(_state.Snapshot, final: true);
        }
    }

    /// <summary>The command's stdout under the live panel: whole lines go above the panel.</summary>
    private sealed class AboveWriter(ProgressSink sink) : TextWriter
    {
        private readonly System.Text.StringBuilder _partial = new();

        public override System.Text.Encoding Encoding => System.Text.Encoding.UTF8;

        public override void Write(char value)
        {
            if (value == '\r') return;
            if (value != '\n')
            {
                _partial.Append(value);
                return;
            }
            string line = _partial.ToString();
            _partial.Clear();
            sink.WriteAbove(line);
        }

        public override void Write(string? value)
        {
            if (value is null) return;
            foreach (char c in value) Write(c);
        }

        public void FlushPartial()
        {
            if (_partial.Length > 0) Write('\n');
        }
    }
}
