using System.Collections.Concurrent;

namespace CommerceManager.Live;

/// <summary>
/// Who has which customer open, across instances: each page joins with a session of its own, says when its form has
/// unsaved changes, and leaves when it closes. Sessions on other instances arrive as notices and are forgotten when
/// their heartbeat (every 20 s) stops for a minute, so a crashed instance's viewers fade out.
/// </summary>
public sealed class PresenceService : IDisposable
{
    public static readonly TimeSpan Heartbeat = TimeSpan.FromSeconds(20);
    public static readonly TimeSpan Expiry = TimeSpan.FromSeconds(60);

    private readonly LiveBus bus;
    private readonly TimeProvider clock;
    private readonly ConcurrentDictionary<Guid, ConcurrentDictionary<string, Seen>> byCustomer = new();
    private readonly ITimer timer;

    private sealed record Seen(Viewer Viewer, DateTime At, bool Local);

    public PresenceService(LiveBus bus, TimeProvider clock)
    {
        this.bus = bus;
        this.clock = clock;
        bus.PresenceChanged += OnNotice;
        timer = clock.CreateTimer(_ => Beat(), null, Heartbeat, Heartbeat);
    }

    /// <summary>A customer's viewers changed (someone came, left, or started or stopped editing).</summary>
    public event Action<Guid>? Changed;

    public PresenceSession Join(Guid customerId, string staffId, string name, ConsoleTab? tab = null)
    {
        var session = new PresenceSession(this, customerId, new Viewer(Guid.NewGuid().ToString("N"), staffId, name, Editing: false));
        Announce(customerId, session.Viewer, left: false);
        tab?.Track(session);
        return session;
    }

    /// <summary>Everyone with the customer open except <paramref name="sessionId"/> (the asking page), one entry per staff member.</summary>
    public IReadOnlyList<Viewer> Others(Guid customerId, string? sessionId) =>
        byCustomer.TryGetValue(customerId, out var viewers)
            ? viewers.Values.Select(s => s.Viewer).Where(v => v.SessionId != sessionId)
                .GroupBy(v => v.StaffId).Select(g => g.OrderByDescending(v => v.Editing).First())
                .OrderBy(v => v.Name, StringComparer.OrdinalIgnoreCase).ToList()
            : [];

    internal void Announce(Guid customerId, Viewer viewer, bool left)
    {
        Apply(new PresenceNotice(customerId, viewer, left), local: true);
        bus.Publish(new PresenceNotice(customerId, viewer, left));
    }

    private void OnNotice(PresenceNotice notice) => Apply(notice, local: false);

    private void Apply(PresenceNotice notice, bool local)
    {
        var viewers = byCustomer.GetOrAdd(notice.CustomerId, _ => new());
        var before = viewers.TryGetValue(notice.Viewer.SessionId, out var was) ? was.Viewer : null;
        if (notice.Left)
        {
            viewers.TryRemove(notice.Viewer.SessionId, out _);
            if (viewers.IsEmpty)
            {
                byCustomer.TryRemove(new KeyValuePair<Guid, ConcurrentDictionary<string, Seen>>(notice.CustomerId, viewers));
            }
        }
        else
        {
            viewers[notice.Viewer.SessionId] = new Seen(notice.Viewer, clock.GetUtcNow().UtcDateTime, local);
        }
        if (notice.Left || before != notice.Viewer)
        {
            Changed?.Invoke(notice.CustomerId);
        }
    }

    private void Beat()
    {
        var now = clock.GetUtcNow().UtcDateTime;
        foreach (var (customerId, viewers) in byCustomer)
        {
            foreach (var (sessionId, seen) in viewers)
            {
                if (seen.Local)
                {
                    bus.Publish(new PresenceNotice(customerId, seen.Viewer, Left: false));
                }
                else if (now - seen.At > Expiry && viewers.TryRemove(sessionId, out _))
                {
                    Changed?.Invoke(customerId);
                }
            }
        }
    }

    public void Dispose()
    {
        bus.PresenceChanged -= OnNotice;
        timer.Dispose();
    }
}

/// <summary>One page's presence on a customer: say whether it is editing; dispose to leave.</summary>
public sealed class PresenceSession(PresenceService presence, Guid customerId, Viewer viewer) : IDisposable
{
    private bool left;

    public Guid CustomerId => customerId;
    public Viewer Viewer { get; private set; } = viewer;

    public void SetEditing(bool editing)
    {
        if (!left && Viewer.Editing != editing)
        {
            Viewer = Viewer with { Editing = editing };
            if (!away)
            {
                presence.Announce(customerId, Viewer, left: false);
            }
        }
    }

    private bool away;

    /// <summary>The tab's connection dropped (closed, or offline): others stop seeing it at once, not when its circuit expires.</summary>
    public void Away()
    {
        if (!left && !away)
        {
            away = true;
            presence.Announce(customerId, Viewer, left: true);
        }
    }

    /// <summary>The tab's connection is back: it is on the customer again.</summary>
    public void Back()
    {
        if (!left && away)
        {
            away = false;
            presence.Announce(customerId, Viewer, left: false);
        }
    }

    public void Dispose()
    {
        if (!left)
        {
            left = true;
            if (!away)
            {
                presence.Announce(customerId, Viewer, left: true);
            }
        }
    }
}
