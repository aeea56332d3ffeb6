// What one mutant came to, as one line of results.tsv (the campaign's machine-readable record,
// appended after every mutant so a killed campaign keeps what it measured).
using System.Globalization;

namespace Mutate;

public static class Status
{
    /// <summary>The gate failed at least one case.</summary>
    public const string Killed = "killed";
    /// <summary>The gate did not finish within its timeout (a hang, a livelock): CI would fail it.</summary>
    public const string Hang = "hang";
    /// <summary>Every gate case passed.</summary>
    public const string Survived = "survived";
    /// <summary>The mutated tree does not compile: not a test of the gate, reported apart.</summary>
    public const string Stillborn = "stillborn";
}

public sealed record MutantResult(string Id, string System, string Status, double BuildSeconds, double GateSeconds,
    double? SecondsToKill, IReadOnlyList<string> Engines, IReadOnlyList<string> Oracles, string FirstKill, string Detail)
{
    public const string Header = "id\tsystem\tstatus\tbuild_s\tgate_s\ttime_to_kill_s\tengines\toracles\tfirst_kill\tdetail";

    public bool IsKill => Status is Mutate.Status.Killed or Mutate.Status.Hang;

    public string ToTsv() => string.Join('\t', Id, System, Status, F(BuildSeconds), F(GateSeconds),
        SecondsToKill is { } k ? F(k) : "", string.Join(',', Engines), string.Join(',', Oracles), Clean(FirstKill), Clean(Detail));

    public static MutantResult FromTsv(string line)
    {
        string[] f = line.Split('\t');
        if (f.Length != 10) throw new FormatException($"results.tsv: expected 10 fields, got {f.Length}: {line}");
        return new MutantResult(f[0], f[1], f[2], D(f[3]), D(f[4]), f[5].Length == 0 ? null : D(f[5]),
            Split(f[6]), Split(f[7]), f[8], f[9]);
    }

    private static string[] Split(string s) => s.Length == 0 ? [] : s.Split(',');
    private static string F(double d) => d.ToString("0.0", CultureInfo.InvariantCulture);
    private static double D(string s) => double.Parse(s, CultureInfo.InvariantCulture);
    private static string Clean(string s) => s.Replace('\t', ' ').Replace('\n', ' ').Replace('\r', ' ');
}
