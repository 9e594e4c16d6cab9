using System.Globalization;
using System.Security.Claims;
using CommerceManager.CustomerSignIn;
using CommerceManager.Data;
using CommerceManager.Security;
using FluentValidation;
using FluentValidation.Results;
using Microsoft.EntityFrameworkCore;

namespace CommerceManager.Accounts;

/// <summary>EP's account authentication settings (and the membership limit), as stored.</summary>
public sealed record AccountSettingsDto(
    Guid Id,
    bool EnableSelfSignup,
    bool AutoCreateAccountForAccountMembers,
    string AccountMemberSelfManagement,
    int TokenTimeoutSeconds,
    int MembershipLimit,
    RealmDto Realm)
{
    public bool MembersMayUpdateThemselves => AccountMemberSelfManagement == SelfManagement.UpdateOnly;
}

/// <summary>A change to the settings: null leaves a value as it is.</summary>
public sealed record AccountSettingsInput(
    bool? EnableSelfSignup = null,
    bool? AutoCreateAccountForAccountMembers = null,
    string? AccountMemberSelfManagement = null,
    int? TokenTimeoutSeconds = null,
    int? MembershipLimit = null);

public static class SelfManagement
{
    public const string Disabled = "disabled";
    public const string UpdateOnly = "update_only";
    public static readonly string[] All = [Disabled, UpdateOnly];
}

/// <summary>
/// The store's Account Management settings (EP's <c>/v2/settings/account-authentication</c> and
/// <c>/v2/settings/account-membership</c>): self sign-up, accounts made for new members, what members may change of
/// themselves, how long their tokens last, and how many accounts a member may belong to. Kept as store settings
/// rows; EP's defaults until changed.
/// </summary>
public sealed class AccountSettingsService(IDbContextFactory<AppDbContext> dbFactory, RealmService realms)
{
    public const int DefaultTokenTimeout = 86_400;
    /// <summary>Tokens live at most a day here (signing keys are kept a day after a rotation).</summary>
    public const int MaxTokenTimeout = 86_400;
    public const int MinTokenTimeout = 60;
    public const int DefaultMembershipLimit = 10_000;

    private const string Prefix = "account-authentication:";
    private const string IdKey = Prefix + "id";
    private const string SelfSignupKey = Prefix + "enable-self-signup";
    private const string AutoCreateKey = Prefix + "auto-create-account";
    private const string SelfManagementKey = Prefix + "self-management";
    private const string TimeoutKey = Prefix + "token-timeout-secs";
    private const string MembershipLimitKey = "account-membership:limit";

    /// <summary>The account sign-in settings as the Activity page names them.</summary>
    internal static readonly (string Key, string Label)[] RecordedSettings =
    [
        (SelfSignupKey, "Account sign-in: self sign-up"), (AutoCreateKey, "Account sign-in: auto-create an account"),
        (SelfManagementKey, "Account sign-in: self management"), (TimeoutKey, "Account sign-in: token lifetime (s)"),
        (MembershipLimitKey, "Account memberships: limit"),
    ];

    /// <summary>Readable by any caller: storefronts read the realm from it (EP's core starter does, with an implicit token).</summary>
    public async Task<AccountSettingsDto> GetAsync(CancellationToken ct = default)
    {
        var realm = await realms.GetAsync(RealmKind.AccountMembers, ct);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var values = await db.AppSettings.AsNoTracking()
            .Where(s => s.Key.StartsWith(Prefix) || s.Key == MembershipLimitKey)
            .ToDictionaryAsync(s => s.Key, s => s.Value, ct);
        Guid id;
        if (!values.TryGetValue(IdKey, out var stored) || !Guid.TryParse(stored, out id))
        {
            id = await CreateIdAsync(ct);
        }
        return new AccountSettingsDto(id,
            Bool(values, SelfSignupKey),
            Bool(values, AutoCreateKey),
            values.GetValueOrDefault(SelfManagementKey) ?? SelfManagement.Disabled,
            Int(values, TimeoutKey) ?? DefaultTokenTimeout,
            Int(values, MembershipLimitKey) ?? DefaultMembershipLimit,
            realm);
    }

    /// <summary>Changes what is given; the rest stays. Admins and API clients only.</summary>
    public async Task<AccountSettingsDto> UpdateAsync(ClaimsPrincipal user, AccountSettingsInput input, CancellationToken ct = default)
    {
        Access.Require(user, Permission.ManageSignIn);
        var failures = new List<ValidationFailure>();
        if (input.AccountMemberSelfManagement is { } mode && !SelfManagement.All.Contains(mode))
        {
            failures.Add(new(nameof(AccountSettingsInput.AccountMemberSelfManagement), "account_member_self_management must be disabled or update_only."));
        }
        if (input.TokenTimeoutSeconds is { } timeout && (timeout < MinTokenTimeout || timeout > MaxTokenTimeout))
        {
            failures.Add(new("AccountManagementAuthenticationTokenTimeoutSecs",
                $"account_management_authentication_token_timeout_secs must be between {MinTokenTimeout} and {MaxTokenTimeout} (24 hours)."));
        }
        if (input.MembershipLimit is { } limit && (limit < 1 || limit > DefaultMembershipLimit))
        {
            failures.Add(new(nameof(AccountSettingsInput.MembershipLimit), $"membership_limit must be between 1 and {DefaultMembershipLimit:N0}."));
        }
        if (failures.Count > 0)
        {
            throw new ValidationException(failures);
        }
        await GetAsync(ct);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var changes = new Dictionary<string, string?>
        {
            [SelfSignupKey] = input.EnableSelfSignup?.ToString(CultureInfo.InvariantCulture),
            [AutoCreateKey] = input.AutoCreateAccountForAccountMembers?.ToString(CultureInfo.InvariantCulture),
            [SelfManagementKey] = input.AccountMemberSelfManagement,
            [TimeoutKey] = input.TokenTimeoutSeconds?.ToString(CultureInfo.InvariantCulture),
            [MembershipLimitKey] = input.MembershipLimit?.ToString(CultureInfo.InvariantCulture),
        };
        foreach (var (key, value) in changes)
        {
            if (value is null)
            {
                continue;
            }
            var row = await db.AppSettings.FirstOrDefaultAsync(s => s.Key == key, ct);
            if (row is null)
            {
                db.AppSettings.Add(new AppSetting { Key = key, Value = value });
            }
            else
            {
                row.Value = value;
            }
        }
        await db.SaveChangesAsync(ct);
        return await GetAsync(ct);
    }

    private async Task<Guid> CreateIdAsync(CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        db.AppSettings.Add(new AppSetting { Key = IdKey, Value = Guid.NewGuid().ToString() });
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException ex) when (DbErrors.IsUniqueViolation(ex))
        {
            // Created by a concurrent request (or another instance): read theirs below.
        }
        await using var again = await dbFactory.CreateDbContextAsync(ct);
        return Guid.Parse((await again.AppSettings.AsNoTracking().FirstAsync(s => s.Key == IdKey, ct)).Value);
    }

    private static bool Bool(Dictionary<string, string> values, string key) =>
        values.TryGetValue(key, out var v) && bool.TryParse(v, out var b) && b;

    private static int? Int(Dictionary<string, string> values, string key) =>
        values.TryGetValue(key, out var v) && int.TryParse(v, NumberStyles.Integer, CultureInfo.InvariantCulture, out var i) ? i : null;
}
