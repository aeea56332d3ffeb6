// ElogSink: where WARNING (and lower) messages go instead of the server log.
//
// The check walkers report corruption as WARNINGs exactly as PostgreSQL does; oracles read the
// sink to decide whether a walker found something. Messages are kept in order, up to a bound, so
// a corrupt structure that warns in a loop cannot exhaust memory; Count keeps counting past it.
namespace Allocator.Common;

public enum ElogLevel : byte { Debug, Log, Notice, Warning }

public readonly record struct ElogMessage(ElogLevel Level, string Text);

public sealed class ElogSink
{
    /// <summary>How many messages are kept; later ones are only counted.</summary>
    public const int DefaultKeepMax = 1000;

    private readonly List<ElogMessage> _messages = new();
    private readonly int _keepMax;

    public ElogSink(int keepMax = DefaultKeepMax) { _keepMax = keepMax; }

    public IReadOnlyList<ElogMessage> Messages => _messages;

    /// <summary>Total messages received, including those past the keep bound.</summary>
    public int Count { get; private set; }

    public int WarningCount { get; private set; }

    /// <summary>Optional echo (for example to stderr in interactive commands).</summary>
    public Action<ElogMessage>? Echo { get; set; }

    /// <summary>log_min_messages: messages below this level are counted but neither kept nor
    /// echoed, and callers may skip composing them (Wants). Default: keep everything.</summary>
    public ElogLevel MinLevel { get; set; } = ElogLevel.Debug;

    /// <summary>Whether a message at <paramref name="level"/> would be kept or echoed; a caller
    /// whose message is costly to compose (the out-of-memory stats dump) asks first.</summary>
    public bool Wants(ElogLevel level) => level >= MinLevel;

    public void Warning(string text) => Emit(ElogLevel.Warning, text);

    public void Emit(ElogLevel level, string text)
    {
        Count++;
        if (level == ElogLevel.Warning) WarningCount++;
        if (level < MinLevel) return;
        var m = new ElogMessage(level, text);
        if (_messages.Count < _keepMax) _messages.Add(m);
        Echo?.Invoke(m);
    }

    public void Clear()
    {
        _messages.Clear();
        Count = 0;
        WarningCount = 0;
    }
}
