// LWLockQueueOpText: the text form of LWLockQueueOp (one op per line), what artifacts store and
// `harness check locks --replay` reads: "take 0 x", "queue 2 w", "release 1", "dequeue 0".
using System.Globalization;
using Harness.Properties;
using Models.Locks;

namespace Harness.Systems.Locks.Oracle;

public sealed class LWLockQueueOpText : IOpText<LWLockQueueOp>
{
    public static LWLockQueueOpText Instance { get; } = new();

    public string Format(LWLockQueueOp op) => op.Kind switch
    {
        QueueOpKind.Take or QueueOpKind.Queue => string.Create(CultureInfo.InvariantCulture, $"{Verb(op.Kind)} {op.Pick} {ModeLetter(op.Mode)}"),
        _ => string.Create(CultureInfo.InvariantCulture, $"{Verb(op.Kind)} {op.Pick}"),
    };

    public static string ModeLetter(QueueMode m) => m switch { QueueMode.Exclusive => "x", QueueMode.Shared => "s", _ => "w" };

    private static string Verb(QueueOpKind k) => k.ToString().ToLowerInvariant();

    public IReadOnlyList<LWLockQueueOp> ParseLines(string text) => OpTextLines.Parse(text, ParseLine);

    public static LWLockQueueOp ParseLine(string line)
    {
        string[] w = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        QueueOpKind? kind = w.Length == 0 ? null : Enum.GetValues<QueueOpKind>().Cast<QueueOpKind?>().FirstOrDefault(k => Verb(k!.Value) == w[0]);
        if (kind is not QueueOpKind k) throw new FormatException("expected take, release, queue, dequeue, return or update");
        bool moded = k is QueueOpKind.Take or QueueOpKind.Queue;
        if (w.Length != (moded ? 3 : 2)) throw new FormatException(moded ? $"expected '{w[0]} PICK MODE'" : $"expected '{w[0]} PICK'");
        if (!int.TryParse(w[1], NumberStyles.None, CultureInfo.InvariantCulture, out int pick)) throw new FormatException($"'{w[1]}' is not a pick");
        if (!moded) return new LWLockQueueOp(k, pick);
        QueueMode mode = w[2] switch
        {
            "x" => QueueMode.Exclusive,
            "s" => QueueMode.Shared,
            "w" when k == QueueOpKind.Queue => QueueMode.WaitUntilFree,
            _ => throw new FormatException($"'{w[2]}' is not a mode ({(k == QueueOpKind.Queue ? "x, s or w" : "x or s")})"),
        };
        return new LWLockQueueOp(k, pick, mode);
    }
}
