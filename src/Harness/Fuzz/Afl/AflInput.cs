// AflInput: re-reads the @@ file for every execution into a reused buffer (afl unlinks and
// rewrites the file each run, so it must be opened by name every time; no per-exec allocation
// once the buffer has grown to the largest input).
namespace Harness.Fuzz.Afl;

public sealed class AflInput
{
    private readonly string _path;
    private byte[] _buffer = new byte[4096];

    public AflInput(string path) => _path = path;

    /// <summary>The current contents of the file; empty if it cannot be read (afl rewrites it between runs).</summary>
    public ReadOnlySpan<byte> Read()
    {
        try
        {
            using var fs = new FileStream(_path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, bufferSize: 1);
            int total = 0;
            while (true)
            {
                if (total == _buffer.Length) Array.Resize(ref _buffer, _buffer.Length * 2);
                int n = fs.Read(_buffer, total, _buffer.Length - total);
                if (n <= 0) break;
                total += n;
            }
            return _buffer.AsSpan(0, total);
        }
        catch (IOException)
        {
            return ReadOnlySpan<byte>.Empty;
        }
    }
}
