// CounterOps: the counter system's operations, their text form (one op per line: inc, dec, get),
// a total byte decoder (each byte is one op, by its value mod 3) and the oracle that runs an op
// list against the port and the model side by side.
using Harness.Core;
using Harness.Properties;

namespace Harness.Tests.Systems.Counter;

internal enum CounterOp : byte { Inc, Dec, Get }

internal sealed class CounterOpText : IOpText<CounterOp>
{
    public static CounterOpText Instance { get; } = new();

    public string Format(CounterOp op) => op.ToString().ToLowerInvariant();

    public IReadOnlyList<CounterOp> ParseLines(string text)
    {
        var ops = new List<CounterOp>();
        string[] lines = text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        for (int i = 0; i < lines.Length; i++)
            ops.Add(lines[i] switch
            {
                "inc" => CounterOp.Inc,
                "dec" => CounterOp.Dec,
                "get" => CounterOp.Get,
                _ => throw new MalformedInputException($"op line {i + 1}: not inc, dec or get: '{lines[i]}'"),
            });
        return ops;
    }

    /// <summary>Any bytes decode: one op per byte.</summary>
    public static CounterOp[] Decode(ReadOnlySpan<byte> input)
    {
        var ops = new CounterOp[Math.Min(input.Length, 256)];
        for (int i = 0; i < ops.Length; i++) ops[i] = (CounterOp)(input[i] % 3);
        return ops;
    }
}

/// <summary>Port against model after every op; CT1 after every op.</summary>
internal static class CounterOracle
{
    public static Outcome Run(IReadOnlyList<CounterOp> ops, bool incPastCap, TextWriter? trace, Action<CounterOp, uint>? observe = null)
    {
        var port = new BoundedCounter(incPastCap);
        uint model = 0;   // the model: a number between 0 and Cap
        for (int i = 0; i < ops.Count; i++)
        {
            bool portOk, modelOk;
            switch (ops[i])
            {
                case CounterOp.Inc:
                    portOk = port.Inc();
                    modelOk = model < BoundedCounter.Cap;
                    if (modelOk) model++;
                    break;
                case CounterOp.Dec:
                    portOk = port.Dec();
                    modelOk = model > 0;
                    if (modelOk) model--;
                    break;
                default:
                    portOk = modelOk = true;
                    break;
            }
            trace?.WriteLine($"{i,3}: {CounterOpText.Instance.Format(ops[i])} -> {port.Value}");
            observe?.Invoke(ops[i], port.Value);
            try
            {
                port.Check();
            }
            catch (Allocator.Common.AssertionFailureException e)
            {
                return new Outcome(OutcomeKind.InvariantFailed, i, "CT1", e.Message);
            }
            if (portOk != modelOk || port.Value != model)
                return new Outcome(OutcomeKind.ModelMismatch, i, $"{ops[i]}", $"port {port.Value} ({portOk}), model {model} ({modelOk})");
        }
        return Outcome.Ok;
    }
}
