using System.Security.Claims;
using CommerceManager.Security;

namespace CommerceManager.History;

/// <summary>Who made a change and through what: a staff member in the console, an API client, the customer, or the app.</summary>
public sealed record ChangeActor(string Kind, string? Id, string? Name, string Channel)
{
    public const string Console = "console";
    public const string Api = "api";
    public const string Import = "import";
    public const string SystemChannel = "system";

    public static ChangeActor System(string? name = null, string channel = SystemChannel) => new(ActorKinds.System, null, name, channel);

    /// <summary>The actor a signed-in principal is: staff (cookie), an API client or storefront (access token), or a customer (customer token).</summary>
    public static ChangeActor From(ClaimsPrincipal? user, string channel)
    {
        if (user?.Identity?.IsAuthenticated != true)
        {
            return System(channel: channel);
        }
        if (Access.CustomerIdOf(user) is { } customerId)
        {
            return new(ActorKinds.Customer, customerId.ToString(), null, channel);
        }
        if (Access.AccountMemberIdOf(user) is { } memberId)
        {
            return new(ActorKinds.AccountMember, memberId.ToString(), null, channel);
        }
        if (user.FindFirst("client_id")?.Value is { } clientId)
        {
            return new(ActorKinds.Client, clientId, user.Identity.Name, channel);
        }
        if (user.Identity.AuthenticationType == "system")
        {
            return System(user.Identity.Name, channel);
        }
        return new(ActorKinds.Staff, user.FindFirst(ClaimTypes.NameIdentifier)?.Value, user.Identity.Name, channel);
    }
}

/// <summary>
/// The actor of the changes made in the current flow of work (an async-local value): the API sets it for each request,
/// the console for each circuit event, an import for its job. A change made outside any of them is the system's.
/// </summary>
public static class ChangeContext
{
    private static readonly AsyncLocal<Func<ChangeActor>?> current = new();
    private static readonly AsyncLocal<bool> quiet = new();
    private static readonly AsyncLocal<Guid?> batch = new();

    public static ChangeActor Current => current.Value?.Invoke() ?? ChangeActor.System();

    /// <summary>Sets the actor until the result is disposed; the function is asked at each save (a request's user is known late).</summary>
    public static IDisposable Use(Func<ChangeActor> actor)
    {
        var previous = current.Value;
        current.Value = actor;
        return new Restore(() => current.Value = previous);
    }

    public static IDisposable Use(ChangeActor actor) => Use(() => actor);

    /// <summary>
    /// Work a person started that runs where no request or circuit says who acts (a background job, a tool): their
    /// changes are theirs, in the console's channel. Where someone is acting already, nothing changes.
    /// </summary>
    public static IDisposable? UseIfUnset(ClaimsPrincipal user) =>
        Current.Kind == ActorKinds.System ? Use(ChangeActor.From(user, ChangeActor.Console)) : null;

    /// <summary>
    /// Saves in this scope record nothing: only for writes that change no fact about the customer, such as a password
    /// hash upgraded to today's iteration count at sign-in (the same password).
    /// </summary>
    public static IDisposable Unrecorded()
    {
        var previous = quiet.Value;
        quiet.Value = true;
        return new Restore(() => quiet.Value = previous);
    }

    internal static bool IsUnrecorded => quiet.Value;

    /// <summary>Saves in this scope are changes of one bulk job (<see cref="ChangeRecord.BatchId"/>) until the result is disposed.</summary>
    public static IDisposable InBatch(Guid jobId)
    {
        var previous = batch.Value;
        batch.Value = jobId;
        return new Restore(() => batch.Value = previous);
    }

    internal static Guid? Batch => batch.Value;

    private sealed class Restore(Action restore) : IDisposable
    {
        public void Dispose() => restore();
    }
}
