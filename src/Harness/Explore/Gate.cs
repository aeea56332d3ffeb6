// Gate: the per-backend baton of the controlled runtime. Exactly one backend's gate is open at a
// time; a switch is "open the next one's gate, then wait on mine". Spins briefly before sleeping,
// because the next decision often comes back within microseconds.
namespace Harness.Explore;

internal sealed class Gate : IDisposable
{
    private readonly ManualResetEventSlim _event;

    public Gate(int spinCount) => _event = new ManualResetEventSlim(false, spinCount);

    public void Open() => _event.Set();

    public void Wait()
    {
        _event.Wait();
        _event.Reset();
    }

    public bool Wait(TimeSpan timeout)
    {
        if (!_event.Wait(timeout)) return false;
        _event.Reset();
        return true;
    }

    public void Dispose() => _event.Dispose();
}
