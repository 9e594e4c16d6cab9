using System.Text.Json;

namespace CommerceManager.Live;

/// <summary>Someone saved a change to a customer (or its addresses, orders, sign-in): open pages of it refresh.</summary>
/// <param name="Tab">The console tab that saved it (<see cref="ConsoleTab"/>), if a console tab did: that tab is not told.</param>
public sealed record CustomerChanged(Guid CustomerId, string Kind, string Who, string? ActorId, IReadOnlyList<string> Fields, DateTime At,
    string? Tab = null);

/// <summary>A staff member with a customer page open, in one browser tab (session); editing when their form has unsaved changes.</summary>
public sealed record Viewer(string SessionId, string StaffId, string Name, bool Editing);

/// <summary>A viewer arrived, started or stopped editing, is still there (a heartbeat), or left.</summary>
public sealed record PresenceNotice(Guid CustomerId, Viewer Viewer, bool Left);

/// <summary>What travels between instances.</summary>
public sealed record LiveEnvelope(string Origin, CustomerChanged? Change, PresenceNotice? Presence);

/// <summary>
/// Live notices inside the app: saved changes and presence. Subscribers are told on the publisher's thread and must
/// hand off at once (a Blazor component calls <c>InvokeAsync</c>). On SQLite the app is one process and this is all
/// there is; on PostgreSQL <see cref="PostgresLiveTransport"/> carries each notice to every other instance through
/// <c>LISTEN/NOTIFY</c> (no extra service to run: the database every instance already shares).
/// </summary>
public sealed class LiveBus(ILogger<LiveBus> log)
{
    /// <summary>This app instance, so it ignores its own notices when the database echoes them back.</summary>
    public string Instance { get; } = Guid.NewGuid().ToString("N")[..12];

    public event Action<CustomerChanged>? Changed;
    /// <summary>Presence notices from other instances.</summary>
    public event Action<PresenceNotice>? PresenceChanged;

    /// <summary>Set by a transport that carries notices to other instances.</summary>
    internal Func<LiveEnvelope, Task>? Remote { get; set; }

    /// <summary>Tells this instance's subscribers and every other instance.</summary>
    public void Publish(CustomerChanged change) => Send(new LiveEnvelope(Instance, change, null), local: true);

    /// <summary>Tells the other instances (this instance's presence is kept by <see cref="PresenceService"/> itself).</summary>
    public void Publish(PresenceNotice presence) => Send(new LiveEnvelope(Instance, null, presence), local: false);

    private void Send(LiveEnvelope envelope, bool local)
    {
        if (local)
        {
            Deliver(envelope);
        }
        if (Remote is { } remote)
        {
            _ = ForwardAsync(remote, envelope);
        }
    }

    private async Task ForwardAsync(Func<LiveEnvelope, Task> remote, LiveEnvelope envelope)
    {
        try
        {
            await remote(envelope);
        }
        catch (Exception ex)
        {
            log.LogWarning(ex, "A live notice could not be sent to the other instances; their pages refresh on their next read.");
        }
    }

    internal void Deliver(LiveEnvelope envelope)
    {
        if (envelope.Change is { } change)
        {
            Each(Changed, change);
        }
        if (envelope.Presence is { } presence)
        {
            Each(PresenceChanged, presence);
        }
    }

    private void Each<T>(Action<T>? handlers, T value)
    {
        foreach (var handler in handlers?.GetInvocationList().Cast<Action<T>>() ?? [])
        {
            try
            {
                handler(value);
            }
            catch (Exception ex)
            {
                log.LogWarning(ex, "A live notice subscriber failed.");
            }
        }
    }

    internal static string Serialize(LiveEnvelope envelope) => JsonSerializer.Serialize(envelope);

    internal static LiveEnvelope? Deserialize(string json)
    {
        try
        {
            return JsonSerializer.Deserialize<LiveEnvelope>(json);
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
