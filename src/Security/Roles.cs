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
}

public enum Permission
{
    ReadCustomers,
    WriteCustomers,
    ManageSettings,
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
        _ => false,
    };

    public static void Require(ClaimsPrincipal user, Permission permission)
    {
        if (!Has(user, permission))
        {
            throw new AccessDeniedException($"Your role does not allow this ({permission}).");
        }
    }
}
