using System.Security.Claims;

namespace CommerceManager.Security;

public static class Roles
{
    public const string Admin = "Admin";
    public const string Representative = "Representative";
    public const string Viewer = "Viewer";

    /// <summary>Every staff role: for <c>[Authorize(Roles = …)]</c> on read-only pages.</summary>
    public const string AnyStaff = $"{Admin},{Representative},{Viewer}";
    /// <summary>Staff who may change customers, addresses and orders.</summary>
    public const string Editors = $"{Admin},{Representative}";

    public static readonly IReadOnlyList<string> All = [Admin, Representative, Viewer];

    /// <summary>Role given to callers authenticated with an API client secret (client_credentials).</summary>
    public const string ApiClient = "ApiClient";

    /// <summary>Role of a storefront caller with an implicit token (client id only, no secret).</summary>
    public const string Storefront = "Storefront";

    /// <summary>Role of a storefront caller holding a customer token: it reaches that one customer only.</summary>
    public const string Customer = "Customer";

    /// <summary>Claim naming the customer a customer token belongs to.</summary>
    public const string CustomerIdClaim = "customer_id";

    /// <summary>Claim naming the customer token itself (its jti), so it can be ended or kept.</summary>
    public const string CustomerTokenIdClaim = "customer_token_id";

    /// <summary>Role of a storefront caller holding an account management token: one member acting in one account.</summary>
    public const string AccountMember = "AccountMember";

    public const string AccountMemberIdClaim = "account_member_id";
    public const string AccountIdClaim = "account_id";
    public const string AccountTokenIdClaim = "account_token_id";
}

/// <summary>How a caller may reach one customer's data.</summary>
public enum CustomerAccess
{
    Allowed,
    /// <summary>The caller's role does not allow it: an error the caller should see (403).</summary>
    Denied,
    /// <summary>Another customer's data under a customer token: answered as if it did not exist (404), so ids cannot be probed.</summary>
    Hidden,
}

public enum Permission
{
    ReadCustomers,
    WriteCustomers,
    ManageSettings,
    /// <summary>Configuring customer sign-in providers (OIDC profiles): admins and API clients.</summary>
    ManageSignIn,
    /// <summary>Creating a customer: staff who edit, API clients, and storefronts (registration).</summary>
    RegisterCustomers,
    /// <summary>Designing custom fields (flows and fields): admins and API clients.</summary>
    DesignFields,
    /// <summary>Carts and checkout: storefronts (implicit tokens), API clients and staff who edit.</summary>
    UseCarts,
    /// <summary>Reading the custom-field design (flows and fields): any caller, storefronts included, as in EP.</summary>
    ReadFieldDesign,
    /// <summary>Privacy requests and the personal-data log (export, erasure, EP's Personal Data API): admins and API clients.</summary>
    ManagePersonalData,
    /// <summary>Payment gateway settings (EP's <c>/v2/gateways</c>, Settings → Payments): admins and API clients.</summary>
    ManagePayments,
    /// <summary>Recording payments, capturing and refunding them on any order: staff who edit and API clients.</summary>
    RecordAnyPayment,
    /// <summary>The store's webhooks (EP's integrations) and their delivery logs: admins and API clients.</summary>
    ManageIntegrations,
}

/// <summary>Thrown when a caller reaches a service method its role does not allow.</summary>
public sealed class AccessDeniedException(string message) : Exception(message);

/// <summary>
/// The one place that says which role may do what. Pages hide what a role cannot do, but every service
/// method asks here too, so a crafted request cannot get past a hidden button.
/// </summary>
public static class Access
{
    public static bool Has(ClaimsPrincipal user, Permission permission) => permission switch
    {
        Permission.ReadCustomers => user.IsInRole(Roles.Admin) || user.IsInRole(Roles.Representative)
            || user.IsInRole(Roles.Viewer) || user.IsInRole(Roles.ApiClient),
        Permission.WriteCustomers => user.IsInRole(Roles.Admin) || user.IsInRole(Roles.Representative)
            || user.IsInRole(Roles.ApiClient),
        Permission.ManageSettings => user.IsInRole(Roles.Admin),
        Permission.ManageSignIn => user.IsInRole(Roles.Admin) || user.IsInRole(Roles.ApiClient),
        Permission.ManagePersonalData => user.IsInRole(Roles.Admin) || user.IsInRole(Roles.ApiClient),
        Permission.DesignFields => user.IsInRole(Roles.Admin) || user.IsInRole(Roles.ApiClient),
        Permission.ManagePayments => user.IsInRole(Roles.Admin) || user.IsInRole(Roles.ApiClient),
        Permission.ManageIntegrations => user.IsInRole(Roles.Admin) || user.IsInRole(Roles.ApiClient),
        Permission.RecordAnyPayment => Has(user, Permission.WriteCustomers),
        Permission.RegisterCustomers => user.IsInRole(Roles.Admin) || user.IsInRole(Roles.Representative)
            || user.IsInRole(Roles.ApiClient) || user.IsInRole(Roles.Storefront),
        Permission.ReadFieldDesign => Has(user, Permission.ReadCustomers) || user.IsInRole(Roles.Storefront) || user.IsInRole(Roles.Customer),
        Permission.UseCarts => user.IsInRole(Roles.Storefront) || user.IsInRole(Roles.Customer) || user.IsInRole(Roles.ApiClient)
            || user.IsInRole(Roles.Admin) || user.IsInRole(Roles.Representative),
        _ => false,
    };

    /// <summary>Staff and API clients by role; a customer token only for its own customer.</summary>
    public static CustomerAccess ToCustomer(ClaimsPrincipal user, Guid customerId, bool write)
    {
        if (Has(user, write ? Permission.WriteCustomers : Permission.ReadCustomers))
        {
            return CustomerAccess.Allowed;
        }
        if (user.IsInRole(Roles.Customer))
        {
            return CustomerIdOf(user) == customerId ? CustomerAccess.Allowed : CustomerAccess.Hidden;
        }
        return CustomerAccess.Denied;
    }

    /// <summary>The customer token a customer-token caller uses, or null.</summary>
    public static Guid? CustomerTokenIdOf(ClaimsPrincipal user) =>
        user.IsInRole(Roles.Customer) && Guid.TryParse(user.FindFirst(Roles.CustomerTokenIdClaim)?.Value, out var id) ? id : null;

    /// <summary>Staff and servers act for the store; storefronts and customers do not (store-only fields such as external_ref).</summary>
    public static bool ActsForStore(ClaimsPrincipal user) => Has(user, Permission.ReadCustomers);

    /// <summary>The customer a customer-token caller acts as, or null for staff and API clients.</summary>
    public static Guid? CustomerIdOf(ClaimsPrincipal user) =>
        user.IsInRole(Roles.Customer) && Guid.TryParse(user.FindFirst(Roles.CustomerIdClaim)?.Value, out var id) ? id : null;

    /// <summary>Throws for <see cref="CustomerAccess.Denied"/>; false for <see cref="CustomerAccess.Hidden"/>.</summary>
    public static bool CanReach(ClaimsPrincipal user, Guid customerId, bool write) => ToCustomer(user, customerId, write) switch
    {
        CustomerAccess.Allowed => true,
        CustomerAccess.Hidden => false,
        _ => throw new AccessDeniedException($"Your role does not allow {(write ? "changing" : "reading")} customers."),
    };

    /// <summary>The account an account-token caller acts in, or null.</summary>
    public static Guid? AccountIdOf(ClaimsPrincipal user) =>
        user.IsInRole(Roles.AccountMember) && Guid.TryParse(user.FindFirst(Roles.AccountIdClaim)?.Value, out var id) ? id : null;

    /// <summary>The member an account-token caller is, or null.</summary>
    public static Guid? AccountMemberIdOf(ClaimsPrincipal user) =>
        user.IsInRole(Roles.AccountMember) && Guid.TryParse(user.FindFirst(Roles.AccountMemberIdClaim)?.Value, out var id) ? id : null;

    /// <summary>The account token an account-token caller uses, or null.</summary>
    public static Guid? AccountTokenIdOf(ClaimsPrincipal user) =>
        user.IsInRole(Roles.AccountMember) && Guid.TryParse(user.FindFirst(Roles.AccountTokenIdClaim)?.Value, out var id) ? id : null;

    /// <summary>
    /// Staff and API clients reach every account by role; an account token only its own account (false: answered as
    /// not found, so ids cannot be probed); any other caller is refused.
    /// </summary>
    public static bool CanReachAccount(ClaimsPrincipal user, Guid accountId, bool write)
    {
        if (Has(user, write ? Permission.WriteCustomers : Permission.ReadCustomers))
        {
            return true;
        }
        if (AccountIdOf(user) is { } own)
        {
            return own == accountId;
        }
        throw new AccessDeniedException(user.IsInRole(Roles.Storefront) || user.IsInRole(Roles.Customer)
            ? "Accounts are read with a client_credentials token, or by a signed-in account member (EP-Account-Management-Authentication-Token)."
            : $"Your role does not allow {(write ? "changing" : "reading")} accounts.");
    }

    /// <summary>An admin acting for the application itself (demo data, seeding, benchmarks), named in history as <paramref name="name"/>.</summary>
    public static ClaimsPrincipal SystemAdmin(string name) =>
        new(new ClaimsIdentity([new Claim(ClaimTypes.Role, Roles.Admin), new Claim(ClaimTypes.Name, name)], "system"));

    public static void Require(ClaimsPrincipal user, Permission permission)
    {
        if (!Has(user, permission))
        {
            throw new AccessDeniedException($"Your role does not allow this ({permission}).");
        }
    }
}
