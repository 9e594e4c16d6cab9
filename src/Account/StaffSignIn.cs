using CommerceManager.Common;
using System.Security.Claims;
using CommerceManager.Data;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;

namespace CommerceManager.Account;

/// <summary>
/// Staff password sign-in. An unknown email costs the same password hash as a known one, so response times don't tell
/// which emails have accounts; five failures in a row lock the account for 15 minutes (an Admin, or the
/// <c>unlock-staff</c> tool when no Admin can sign in, lifts it).
/// </summary>
public sealed class StaffSignIn(SignInManager<StaffUser> signInManager, UserManager<StaffUser> users, TimeProvider clock)
{
    private static string? decoyHash;

    public async Task<SignInResult> PasswordSignInAsync(string email, string password, bool remember)
    {
        var user = await users.FindByEmailAsync(email.Trim());
        if (user is null)
        {
            // The same work as checking a real password, against a hash nobody's password matches.
            decoyHash ??= users.PasswordHasher.HashPassword(new StaffUser(), Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(24)));
            users.PasswordHasher.VerifyHashedPassword(new StaffUser(), decoyHash, password);
            return SignInResult.Failed;
        }
        var result = await signInManager.PasswordSignInAsync(user, password, remember, lockoutOnFailure: true);
        if (result.Succeeded)
        {
            user.LastSignInAt = clock.UtcNow();
            await users.UpdateAsync(user);
        }
        return result;
    }
}

public static class StaffClaims
{
    /// <summary>Present while the signed-in staff member has to choose a new password before using the console.</summary>
    public const string MustChangePassword = "cm:must_change_password";

    /// <summary>The staff member's display name, for what other staff see (presence on a customer page).</summary>
    public const string DisplayName = "cm:display_name";
}

/// <summary>Adds <see cref="StaffClaims.MustChangePassword"/> to the sign-in cookie while the flag is on the account.</summary>
public sealed class StaffClaimsFactory(UserManager<StaffUser> users, RoleManager<IdentityRole> roles, IOptions<IdentityOptions> options)
    : UserClaimsPrincipalFactory<StaffUser, IdentityRole>(users, roles, options)
{
    protected override async Task<ClaimsIdentity> GenerateClaimsAsync(StaffUser user)
    {
        var identity = await base.GenerateClaimsAsync(user);
        if (!string.IsNullOrWhiteSpace(user.DisplayName))
        {
            identity.AddClaim(new Claim(StaffClaims.DisplayName, user.DisplayName));
        }
        if (user.MustChangePassword)
        {
            identity.AddClaim(new Claim(StaffClaims.MustChangePassword, "true"));
        }
        return identity;
    }
}

public static class PasswordChangeGate
{
    public const string ChangePasswordPath = "/Account/ChangePassword";

    /// <summary>
    /// A staff member whose password must change reaches only the change-password page and sign-out: every other
    /// console page and cookie endpoint (file downloads, personal data, import error files) sends them there. The API
    /// (bearer tokens, not this cookie), static files and the circuit's own endpoints are not gated.
    /// </summary>
    public static IApplicationBuilder UsePasswordChangeGate(this IApplicationBuilder app) => app.Use(async (context, next) =>
    {
        if (context.User.HasClaim(StaffClaims.MustChangePassword, "true")
            && context.GetEndpoint() is { } endpoint
            && !IsAllowedWhileChanging(context.Request.Path, endpoint))
        {
            var back = context.Request.PathBase + context.Request.Path + context.Request.QueryString;
            context.Response.Redirect($"{context.Request.PathBase}{ChangePasswordPath}?ReturnUrl={Uri.EscapeDataString(back)}");
            return;
        }
        await next();
    });

    private static bool IsAllowedWhileChanging(PathString path, Endpoint endpoint) =>
        endpoint.Metadata.GetMetadata<Microsoft.AspNetCore.Components.Endpoints.ComponentTypeMetadata>() is { } page
            ? page.Type == typeof(Pages.ChangePassword)
            : path.StartsWithSegments("/Account", StringComparison.OrdinalIgnoreCase)
                || path.StartsWithSegments("/_blazor", StringComparison.OrdinalIgnoreCase)
                || path.StartsWithSegments("/_framework", StringComparison.OrdinalIgnoreCase)
                || path.StartsWithSegments("/_content", StringComparison.OrdinalIgnoreCase)
                || path.StartsWithSegments("/v2", StringComparison.OrdinalIgnoreCase)
                || path.StartsWithSegments("/oauth", StringComparison.OrdinalIgnoreCase)
                || path.StartsWithSegments("/oidc-idp", StringComparison.OrdinalIgnoreCase)
                || path.StartsWithSegments("/health", StringComparison.OrdinalIgnoreCase)
                || path.StartsWithSegments("/openapi", StringComparison.OrdinalIgnoreCase)
                || endpoint.Metadata.GetMetadata<Microsoft.AspNetCore.StaticAssets.StaticAssetDescriptor>() is not null;
}
