// CommandArgs: a small, strict option parser shared by every subcommand.
//
// Options are `--name value` or `--name=value`, flags are `--name`; everything else is positional.
// Strict on purpose: an option the command never asked about, a missing value or a malformed
// number is a UsageException with a clear message, never a silently ignored typo.
using System.Globalization;
using Harness.Core;
using Harness.Fuzz.Engine;

namespace Harness.Cli;

public sealed class UsageException : Exception
{
    public UsageException(string message) : base(message) { }
}

public sealed class CommandArgs
{
    private readonly Dictionary<string, string?> _options = new(StringComparer.Ordinal);
    private readonly HashSet<string> _consumed = new(StringComparer.Ordinal);
    private readonly List<string> _positional = new();

    /// <param name="systems">The systems the command may run (default: SystemRegistry.Default; tests add their own).</param>
    public CommandArgs(IEnumerable<string> args, IEnumerable<string>? flagNames = null, SystemRegistry? systems = null)
    {
        Systems = systems ?? SystemRegistry.Default;
        var flags = new HashSet<string>(flagNames ?? Array.Empty<string>(), StringComparer.Ordinal);
        var list = args.ToList();
        for (int i = 0; i < list.Count; i++)
        {
            string a = list[i];
            if (a == "--")
            {
                _positional.AddRange(list.Skip(i + 1));
                break;
            }
            if (a.StartsWith("--", StringComparison.Ordinal) && a.Length > 2)
            {
                string name = a[2..];
                string? value = null;
                int eq = name.IndexOf('=');
                if (eq >= 0)
                {
                    value = name[(eq + 1)..];
                    name = name[..eq];
                }
                else if (!flags.Contains(name) && i + 1 < list.Count && !list[i + 1].StartsWith("--", StringComparison.Ordinal))
                {
                    value = list[++i];
                }
                if (_options.ContainsKey(name)) throw new UsageException($"option --{name} given twice");
                _options[name] = value;
            }
            else
            {
                _positional.Add(a);
            }
        }
    }

    /// <summary>The systems this command may run.</summary>
    public SystemRegistry Systems { get; }

    public IReadOnlyList<string> Positional => _positional;

    public string? Positional0 => _positional.Count > 0 ? _positional[0] : null;

    public bool Flag(string name)
    {
        _consumed.Add(name);
        if (!_options.TryGetValue(name, out string? v)) return false;
        if (v is null || v == "true") return true;
        if (v == "false") return false;
        throw new UsageException($"--{name} is a flag and takes no value (got '{v}')");
    }

    public string? String(string name)
    {
        _consumed.Add(name);
        if (!_options.TryGetValue(name, out string? v)) return null;
        return v ?? throw new UsageException($"--{name} needs a value");
    }

    public string String(string name, string fallback) => String(name) ?? fallback;

    public ulong ULong(string name, ulong fallback)
    {
        string? s = String(name);
        if (s is null) return fallback;
        if (TryParseULong(s, out ulong v)) return v;
        throw new UsageException($"--{name} takes a non-negative whole number (decimal or 0x hex), not '{s}'");
    }

    public long Long(string name, long fallback, long min = long.MinValue, long max = long.MaxValue)
    {
        string? s = String(name);
        if (s is null) return fallback;
        if (!long.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out long v))
            throw new UsageException($"--{name} takes a whole number, not '{s}'");
        if (v < min || v > max) throw new UsageException($"--{name} must be between {min} and {max} (got {v})");
        return v;
    }

    public int Int(string name, int fallback, int min = int.MinValue, int max = int.MaxValue) =>
        (int)Long(name, fallback, min, max);

    public static bool TryParseULong(string s, out ulong value) => Numbers.TryParseULong(s, out value);

    /// <summary>Reads --ops-max and --canary of a fuzz command.</summary>
    public FuzzTargetConfig FuzzTargetConfig(FuzzTargetConfig? fallback = null)
    {
        FuzzTargetConfig c = fallback ?? Harness.Fuzz.Engine.FuzzTargetConfig.Default;
        return c with
        {
            OpsMax = Int("ops-max", c.OpsMax, 1, Harness.Fuzz.Engine.FuzzTargetConfig.OpsMaxLimit),
            Canary = String("canary") ?? c.Canary,
        };
    }

    /// <summary>Call after reading every option: any option the command did not ask for is an error.</summary>
    public void RejectUnknown()
    {
        foreach (string name in _options.Keys.Order(StringComparer.Ordinal))
            if (!_consumed.Contains(name)) throw new UsageException($"unknown option --{name}");
    }
}
