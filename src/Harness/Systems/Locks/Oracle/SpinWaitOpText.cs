// SpinWaitOpText: the text form of SpinWaitOp (one op per line), what artifacts store and
// `harness check locks --replay` reads: "free", "restart", "wait 12x+3 uniform 77",
// "wait 4x-1 max", "stuck half".
using System.Globalization;
using Harness.Properties;

namespace Harness.Systems.Locks.Oracle;

public sealed class SpinWaitOpText : IOpText<SpinWaitOp>
{
    public static SpinWaitOpText Instance { get; } = new();

    public string Format(SpinWaitOp op) => op.Kind switch
    {
        SpinWaitKind.Free => "free",
        SpinWaitKind.Restart => "restart",
        SpinWaitKind.Wait => string.Create(CultureInfo.InvariantCulture, $"wait {op.Sleeps}x{(op.Extra < 0 ? "-" : "+")}{Math.Abs((long)op.Extra)} {Draws(op)}"),
        _ => $"stuck {Draws(op)}",
    };

    private static string Draws(SpinWaitOp op) =>
        op.Draws == DrawProfile.Uniform
            ? string.Create(CultureInfo.InvariantCulture, $"uniform {op.Seed}")
            : op.Draws.ToString().ToLowerInvariant();

    public IReadOnlyList<SpinWaitOp> ParseLines(string text) => OpTextLines.Parse(text, ParseLine);

    public static SpinWaitOp ParseLine(string line)
    {
        string[] w = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (w.Length == 1 && w[0] == "free") return SpinWaitOp.Free;
        if (w.Length == 1 && w[0] == "restart") return SpinWaitOp.Restart;
        if (w.Length >= 2 && w[0] == "stuck")
        {
            (DrawProfile p, uint seed) = ParseDraws(w, 1);
            return SpinWaitOp.Stuck(p, seed);
        }
        if (w.Length >= 3 && w[0] == "wait")
        {
            (int sleeps, int extra) = ParseLength(w[1]);
            (DrawProfile p, uint seed) = ParseDraws(w, 2);
            return SpinWaitOp.Wait(sleeps, extra, p, seed);
        }
        throw new FormatException("expected 'free', 'restart', 'wait Dx+E PROFILE [SEED]' or 'stuck PROFILE [SEED]'");
    }

    /// <summary>"12x+3" or "4x-1".</summary>
    private static (int Sleeps, int Extra) ParseLength(string s)
    {
        int x = s.IndexOf('x', StringComparison.Ordinal);
        if (x <= 0 || x + 2 > s.Length || (s[x + 1] != '+' && s[x + 1] != '-')) throw new FormatException($"'{s}' is not a wait length Dx+E");
        int sleeps = Int(s[..x], "multiple of spins_per_delay");
        int extra = Int(s[(x + 2)..], "number of spins");
        return (sleeps, s[x + 1] == '-' ? -extra : extra);
    }

    private static (DrawProfile Profile, uint Seed) ParseDraws(string[] w, int at)
    {
        DrawProfile p = w[at] switch
        {
            "uniform" => DrawProfile.Uniform,
            "zero" => DrawProfile.Zero,
            "max" => DrawProfile.Max,
            "half" => DrawProfile.Half,
            _ => throw new FormatException($"'{w[at]}' is not a draw profile (uniform, zero, max, half)"),
        };
        if (p == DrawProfile.Uniform && w.Length == at + 2)
            return (p, uint.TryParse(w[at + 1], NumberStyles.None, CultureInfo.InvariantCulture, out uint seed) ? seed : throw new FormatException($"'{w[at + 1]}' is not a seed"));
        if (p == DrawProfile.Uniform) throw new FormatException("uniform draws need one seed");
        if (w.Length != at + 1) throw new FormatException($"{w[at]} draws take no seed");
        return (p, 0);
    }

    private static int Int(string s, string what) =>
        int.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out int v) ? v : throw new FormatException($"'{s}' is not a {what}");
}
