using CommerceManager.Common;

namespace CommerceManager.CustomerSignIn;

/// <summary>Who a provider says signed in: its subject, email (verified or not) and display name.</summary>
public sealed record ProviderIdentity(string Subject, string Email, bool EmailVerified, string Name);

/// <summary>
/// The people of a realm other than customers' (account members), as provider sign-in finds or creates them. A
/// feature that owns such a realm registers one; the sign-in machinery (proxy, PKCE, provider calls) stays here.
/// </summary>
public interface IRealmMembers
{
    RealmKind Realm { get; }

    /// <summary>
    /// The person this provider identity signs in: the one it signed in as before, else one linked or created as the
    /// realm's <paramref name="duplicateEmailPolicy"/> says; or why not (a refusal the storefront is told).
    /// </summary>
    Task<Outcome<Guid>> FindOrCreateAsync(OidcProfile profile, ProviderIdentity identity, string duplicateEmailPolicy, CancellationToken ct);
}
