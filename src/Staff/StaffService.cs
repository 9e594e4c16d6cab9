using System.Security.Claims;
using CommerceManager.Data;
using CommerceManager.Security;
using Microsoft.AspNetCore.Identity;
using FluentValidation;
using Microsoft.EntityFrameworkCore;

namespace CommerceManager.Staff;

public sealed record StaffSummary(string Id, string Email, string DisplayName, string Role, bool IsLockedOut, DateTimeOffset? LockoutEnd,
    DateTime? LastSignInAt = null);

public sealed class StaffInput
{
    public string Email { get; set; } = "";
    public string DisplayName { get; set; } = "";
    public string Role { get; set; } = Roles.Representative;
    public string Password { get; set; } = "";
    /// <summary>The person chooses their own password at first sign-in (the console's default: someone else typed this one).</summary>
    public bool MustChangePassword { get; set; }
}

/// <summary>
/// Admins manage staff accounts. Identity's UserManager holds a DbContext, so each call gets its own scope
/// rather than keeping one for the life of a Blazor circuit.
/// </summary>
public sealed class StaffService(IServiceScopeFactory scopes, TimeProvider clock)
{
    public async Task<IReadOnlyList<StaffSummary>> ListAsync(ClaimsPrincipal actor, CancellationToken ct = default)
    {
        Access.Require(actor, Permission.ManageSettings);
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
        var now = clock.GetUtcNow();
        var rows = await (
            from u in db.Users.AsNoTracking()
            join ur in db.UserRoles on u.Id equals ur.UserId into urs
            from ur in urs.DefaultIfEmpty()
            join r in db.Roles on ur.RoleId equals r.Id into rs
            from r in rs.DefaultIfEmpty()
            orderby u.Email
            select new { u.Id, u.Email, u.DisplayName, Role = r != null ? r.Name : null, u.LockoutEnd, u.LastSignInAt })
            .ToListAsync(ct);
        return rows
            .GroupBy(x => x.Id)
            .Select(g => g.First())
            .Select(x => new StaffSummary(x.Id, x.Email ?? "", x.DisplayName, x.Role ?? "(none)",
                x.LockoutEnd is { } end && end > now, x.LockoutEnd, x.LastSignInAt))
            .ToList();
    }

    public async Task<IdentityResult> CreateAsync(ClaimsPrincipal actor, StaffInput input, CancellationToken ct = default)
    {
        Access.Require(actor, Permission.ManageSettings);
        if (!Roles.All.Contains(input.Role))
        {
            return Failed($"Unknown role '{input.Role}'.");
        }
        await using var scope = scopes.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<StaffUser>>();
        var email = input.Email.Trim();
        var user = new StaffUser
        {
            UserName = email, Email = email, EmailConfirmed = true, DisplayName = input.DisplayName.Trim(), MustChangePassword = input.MustChangePassword,
        };
        var created = await users.CreateAsync(user, input.Password);
        if (!created.Succeeded)
        {
            return created;
        }
        return await users.AddToRoleAsync(user, input.Role);
    }

    public async Task<IdentityResult> ChangeRoleAsync(ClaimsPrincipal actor, string userId, string role, CancellationToken ct = default)
    {
        Access.Require(actor, Permission.ManageSettings);
        if (!Roles.All.Contains(role))
        {
            return Failed($"Unknown role '{role}'.");
        }
        await using var scope = scopes.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<StaffUser>>();
        var user = await users.FindByIdAsync(userId);
        if (user is null)
        {
            return Failed("This staff member no longer exists.");
        }
        var current = await users.GetRolesAsync(user);
        if (current.Contains(Roles.Admin) && role != Roles.Admin && await IsLastActiveAdminAsync(users, user))
        {
            return Failed("This is the only admin left: make someone else an admin first.");
        }
        var removed = await users.RemoveFromRolesAsync(user, current);
        if (!removed.Succeeded)
        {
            return removed;
        }
        var added = await users.AddToRoleAsync(user, role);
        // A new security stamp signs the person out of open sessions, so the new role takes effect at once.
        return added.Succeeded ? await users.UpdateSecurityStampAsync(user) : added;
    }

    public async Task<IdentityResult> SetLockedAsync(ClaimsPrincipal actor, string userId, bool locked, CancellationToken ct = default)
    {
        Access.Require(actor, Permission.ManageSettings);
        await using var scope = scopes.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<StaffUser>>();
        var user = await users.FindByIdAsync(userId);
        if (user is null)
        {
            return Failed("This staff member no longer exists.");
        }
        if (locked && users.GetUserId(actor) == user.Id)
        {
            return Failed("You cannot lock your own account.");
        }
        if (locked && await users.IsInRoleAsync(user, Roles.Admin) && await IsLastActiveAdminAsync(users, user))
        {
            return Failed("This is the only admin left: make someone else an admin first.");
        }
        var result = await users.SetLockoutEndDateAsync(user, locked ? DateTimeOffset.MaxValue : null);
        if (result.Succeeded && !locked)
        {
            await users.ResetAccessFailedCountAsync(user);
        }
        return result.Succeeded && locked ? await users.UpdateSecurityStampAsync(user) : result;
    }

    /// <summary>
    /// Sets a new password (which also ends the person's open sessions: Identity replaces the security stamp); with
    /// <paramref name="mustChange"/> they choose their own at their next sign-in.
    /// </summary>
    public async Task<IdentityResult> ResetPasswordAsync(ClaimsPrincipal actor, string userId, string newPassword, CancellationToken ct = default,
        bool mustChange = false)
    {
        Access.Require(actor, Permission.ManageSettings);
        await using var scope = scopes.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<StaffUser>>();
        var user = await users.FindByIdAsync(userId);
        if (user is null)
        {
            return Failed("This staff member no longer exists.");
        }
        var token = await users.GeneratePasswordResetTokenAsync(user);
        var reset = await users.ResetPasswordAsync(user, token, newPassword);
        if (reset.Succeeded && mustChange)
        {
            user.MustChangePassword = true;
            return await users.UpdateAsync(user);
        }
        return reset;
    }

    /// <summary>Removes a staff account for good: never your own, never the last active Admin.</summary>
    public async Task<IdentityResult> RemoveAsync(ClaimsPrincipal actor, string userId, CancellationToken ct = default)
    {
        Access.Require(actor, Permission.ManageSettings);
        await using var scope = scopes.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<StaffUser>>();
        var user = await users.FindByIdAsync(userId);
        if (user is null)
        {
            return Failed("This staff member no longer exists.");
        }
        if (users.GetUserId(actor) == user.Id)
        {
            return Failed("You cannot remove your own account.");
        }
        if (await users.IsInRoleAsync(user, Roles.Admin) && await IsLastActiveAdminAsync(users, user))
        {
            return Failed("This is the only admin left: make someone else an admin first.");
        }
        return await users.DeleteAsync(user);
    }

    private async Task<bool> IsLastActiveAdminAsync(UserManager<StaffUser> users, StaffUser user)
    {
        var admins = await users.GetUsersInRoleAsync(Roles.Admin);
        var now = clock.GetUtcNow();
        return !admins.Any(a => a.Id != user.Id && (a.LockoutEnd is null || a.LockoutEnd <= now));
    }

    private static IdentityResult Failed(string message) => IdentityResult.Failed(new IdentityError { Description = message });
}

public sealed class StaffInputValidator : AbstractValidator<StaffInput>
{
    public StaffInputValidator()
    {
        RuleFor(x => x.Email)
            .Must(e => !string.IsNullOrWhiteSpace(e)).WithMessage("Email is required.")
            .Must(e => string.IsNullOrWhiteSpace(e) || Common.EmailRules.IsValid(e)).WithMessage("Email must be a valid email address.");
        RuleFor(x => x.DisplayName)
            .Must(n => !string.IsNullOrWhiteSpace(n)).WithMessage("Name is required.")
            .MaximumLength(100).WithMessage("Name must be at most 100 characters.");
        RuleFor(x => x.Role)
            .Must(r => Roles.All.Contains(r)).WithMessage("Choose a role.");
        RuleFor(x => x.Password)
            .Must(p => PasswordPolicy.Check(p) is null).WithMessage(x => PasswordPolicy.Check(x.Password) ?? "");
    }
}
