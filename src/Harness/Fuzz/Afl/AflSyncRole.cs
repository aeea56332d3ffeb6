// AflSyncRole: an instance's place in AFL++'s parallel mode: its name (its folder under the sync
// directory) and whether it is the main instance (-M: deterministic stages, syncs from everyone,
// marks its folder with is_main_node) or a secondary (-S: havoc only, syncs from main instances;
// afl 4.04c elects a lone secondary as a temporary main when no folder is marked).
namespace Harness.Fuzz.Afl;

public sealed record AflSyncRole(string Name, bool Main)
{
    /// <summary>Checks a worker name as afl does: letters, digits, '-', '_' and '.', not starting with '.'.</summary>
    public static string CheckName(string name)
    {
        if (name.Length == 0 || name.Length > 64 || name[0] == '.' || !name.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.'))
            throw new Harness.Cli.UsageException($"--name wants 1..64 letters, digits, '-', '_' or '.' (not starting with '.'), not '{name}'");
        return name;
    }
}
