using Microsoft.AspNetCore.Components.Server.Circuits;

namespace CommerceManager.Live;

/// <summary>
/// One console tab (a Blazor circuit). Every change it saves is announced with its id, so the tab does not hear about
/// its own writes (its pages already show them) while every other tab, even the same staff member's, does.
/// </summary>
public sealed class ConsoleTab
{
    private static readonly AsyncLocal<string?> current = new();

    public string Id { get; } = Guid.NewGuid().ToString("N");

    private readonly List<WeakReference<PresenceSession>> sessions = [];
    private readonly Lock gate = new();

    /// <summary>A presence of this tab's, told when the tab's connection drops and comes back.</summary>
    internal void Track(PresenceSession session)
    {
        lock (gate)
        {
            sessions.RemoveAll(s => !s.TryGetTarget(out _));
            sessions.Add(new WeakReference<PresenceSession>(session));
        }
    }

    /// <summary>The browser's connection went (a closed tab, a lost network) or came back.</summary>
    internal void Connected(bool up)
    {
        List<PresenceSession> live;
        lock (gate)
        {
            live = [.. sessions.Select(s => s.TryGetTarget(out var session) ? session : null).OfType<PresenceSession>()];
        }
        foreach (var session in live)
        {
            if (up)
            {
                session.Back();
            }
            else
            {
                session.Away();
            }
        }
    }

    /// <summary>The tab whose event (a click, a key, a JS call) is being handled in this flow of work, if any.</summary>
    public static string? Current => current.Value;

    /// <summary>Runs the rest of this flow of work as <paramref name="id"/>'s.</summary>
    public static IDisposable Use(string? id)
    {
        var before = current.Value;
        current.Value = id;
        return new Restore(before);
    }

    private sealed class Restore(string? before) : IDisposable
    {
        public void Dispose() => current.Value = before;
    }
}

/// <summary>Every inbound event of a circuit runs as its tab (no await before <c>next</c>: events keep their order).</summary>
internal sealed class ConsoleTabMarker(ConsoleTab tab) : CircuitHandler
{
    public override Func<CircuitInboundActivityContext, Task> CreateInboundActivityHandler(Func<CircuitInboundActivityContext, Task> next) =>
        context =>
        {
            using (ConsoleTab.Use(tab.Id))
            {
                return next(context);
            }
        };

    // A closed tab's circuit lives on for minutes in case it reconnects; its presence should not.
    public override Task OnConnectionDownAsync(Circuit circuit, CancellationToken cancellationToken)
    {
        tab.Connected(up: false);
        return Task.CompletedTask;
    }

    public override Task OnConnectionUpAsync(Circuit circuit, CancellationToken cancellationToken)
    {
        tab.Connected(up: true);
        return Task.CompletedTask;
    }
}
