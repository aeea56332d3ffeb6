// ResourceOwner: the part of resowner.c (PostgreSQL 17) the buffer manager uses: one backend's
// record of the buffer pins it holds and the buffer I/Os it has started (bufmgr.c's
// buffer_pin_resowner_desc and buffer_io_resowner_desc), so that error recovery can undo them.
//
// Release (ResourceOwnerRelease, phase RESOURCE_RELEASE_BEFORE_LOCKS) runs the kinds in priority
// order: RELEASE_PRIO_BUFFER_IOS (100) first, each in-progress I/O ending through AbortBufferIO;
// then RELEASE_PRIO_BUFFER_PINS (200), each remembered pin dropped with UnpinBufferNoOwner. Within a
// kind PostgreSQL releases the most recently remembered entry first; so do we. On commit a
// resource still remembered is a leak: a WARNING "resource was not closed: ..." each (the
// caller's AtEOXact_Buffers then asserts); on abort they are released silently.
//
// Divergences: one owner per backend (no owner tree, no CurrentResourceOwner switching, no
// transaction/portal owners); a managed list instead of the fixed array + hash; Enlarge is a no-op
// (nothing can run out of room), kept so callers read as bufmgr.c does.
#pragma warning disable CA1707 // PostgreSQL's names
using Allocator.Common;

namespace Allocator.Buffers;

public sealed class ResourceOwner
{
    public const int RELEASE_PRIO_BUFFER_IOS = 100;
    public const int RELEASE_PRIO_BUFFER_PINS = 200;

    private readonly List<int> _pins = new();
    private readonly List<int> _ios = new();

    /// <summary>Buffers pinned through this owner, one entry per pin, oldest first.</summary>
    public IReadOnlyList<int> Pins => _pins;

    /// <summary>Buffers with an I/O this backend started and has not terminated, oldest first.</summary>
    public IReadOnlyList<int> IOs => _ios;

    /// <summary>ResourceOwnerEnlarge: room for one more entry (always there).</summary>
    public static void ResourceOwnerEnlarge() { }

    /// <summary>ResourceOwnerRememberBuffer.</summary>
    public void RememberBuffer(int buffer) => _pins.Add(buffer);

    /// <summary>ResourceOwnerForgetBuffer: the entry must exist ("... is not owned by resource owner").</summary>
    public void ForgetBuffer(int buffer)
    {
        int i = _pins.LastIndexOf(buffer);
        if (i < 0) throw new PgErrorException($"buffer {buffer} is not owned by resource owner");
        _pins.RemoveAt(i);
    }

    /// <summary>ResourceOwnerRememberBufferIO.</summary>
    public void RememberBufferIO(int buffer)
    {
        Pg.Assert(!_ios.Contains(buffer));
        _ios.Add(buffer);
    }

    /// <summary>ResourceOwnerForgetBufferIO.</summary>
    public void ForgetBufferIO(int buffer)
    {
        int i = _ios.LastIndexOf(buffer);
        if (i < 0) throw new PgErrorException($"buffer io {buffer} is not owned by resource owner");
        _ios.RemoveAt(i);
    }

    /// <summary>ResourceOwnerRelease(BEFORE_LOCKS) for the buffer kinds: I/Os, then pins, newest first.
    /// <paramref name="releaseIO"/> is ResOwnerReleaseBufferIO (AbortBufferIO), <paramref name="releasePin"/>
    /// ResOwnerReleaseBufferPin (UnpinBufferNoOwner); <paramref name="describe"/> names a leaked entry
    /// on commit. Returns the number of entries released.</summary>
    public int Release(bool isCommit, ElogSink elog, Action<int> releaseIO, Action<int> releasePin,
        Func<string, int, string> describe)
    {
        int released = 0;
        // priority 100: buffer I/Os
        while (_ios.Count > 0)
        {
            int b = _ios[^1];
            _ios.RemoveAt(_ios.Count - 1);
            if (isCommit) elog.Warning($"resource was not closed: {describe("buffer io", b)}");
            releaseIO(b);
            released++;
        }
        // priority 200: buffer pins
        while (_pins.Count > 0)
        {
            int b = _pins[^1];
            _pins.RemoveAt(_pins.Count - 1);
            if (isCommit) elog.Warning($"resource was not closed: {describe("buffer pin", b)}");
            releasePin(b);
            released++;
        }
        return released;
    }
}
