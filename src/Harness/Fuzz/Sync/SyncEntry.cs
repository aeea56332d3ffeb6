// SyncEntry: one queue entry of another worker, read for import: whose, which number, its bytes.
namespace Harness.Fuzz.Sync;

public sealed record SyncEntry(string Worker, int Id, byte[] Data)
{
    /// <summary>The notes an imported entry gets in this worker's queue name (AFL++'s spelling).</summary>
    public string Notes => string.Create(System.Globalization.CultureInfo.InvariantCulture, $"sync:{Worker},src:{Id:D6}");
}
