using System.Security.Claims;
using CommerceManager.Common;
using CommerceManager.Data;
using CommerceManager.History;
using CommerceManager.Querying;
using CommerceManager.Security;
using CommerceManager.Tokens;
using FluentValidation;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;

namespace CommerceManager.Accounts;

public sealed record AccountMemberDto(Guid Id, string Name, string Email, DateTime CreatedAt, DateTime UpdatedAt, Guid Version);

public sealed record PasswordProfileDto(Guid Id, string Name, string UsernameFormat, bool EnableOneTimePasswordToken, DateTime CreatedAt, DateTime UpdatedAt);

/// <summary>A member's username in a password profile; the password never leaves the store.</summary>
public sealed record MemberPasswordDto(Guid Id, Guid MemberId, Guid PasswordProfileId, string Username, DateTime CreatedAt, DateTime UpdatedAt);

/// <summary>A member (EP's user authentication info) as staff or an API caller send it.</summary>
public sealed class AccountMemberInput
{
    public string Name { get; set; } = "";
    public string Email { get; set; } = "";
}

public sealed class AccountMemberInputValidator : AbstractValidator<AccountMemberInput>
{
    public AccountMemberInputValidator()
    {
        RuleFor(x => x.Name).Must(n => !string.IsNullOrWhiteSpace(n)).WithMessage("Name is required.");
        RuleFor(x => x.Name).MaximumLength(AccountLimits.Text).WithMessage($"Name must be at most {AccountLimits.Text} characters.");
        RuleFor(x => x.Email).Must(e => !string.IsNullOrWhiteSpace(e)).WithMessage("Email is required.");
        RuleFor(x => x.Email).MaximumLength(AccountLimits.Email).WithMessage($"Email must be at most {AccountLimits.Email} characters.");
        RuleFor(x => x.Email).Must(e => EmailRules.IsValid(e)).When(x => !string.IsNullOrWhiteSpace(x.Email))
            .WithMessage("Email must be a valid email address.");
    }
}

/// <summary>A password profile as an API caller sends it.</summary>
public sealed record PasswordProfileInput(string Name, string UsernameFormat = PasswordProfiles.AnyFormat, bool EnableOneTimePasswordToken = false);

/// <summary>A username and password in a password profile; a null password on update keeps the stored one.</summary>
public sealed record MemberPasswordInput(Guid PasswordProfileId, string Username, string? Password);

public sealed record AccountMemberQuery(string? Filter = null, string? Sort = null, int Offset = 0, int Limit = PageRequest.DefaultLimit)
{
    public PageRequest Page => new PageRequest(Offset, Limit).Checked();
}

/// <summary>
/// Account members and how they sign in (EP's user authentication info, password profiles and password profile info,
/// all in the account realm). The member and its user authentication info are one record with one id, as in EP.
/// Passwords are PBKDF2 hashes, as customers' are: a customer's hash moves to a member unchanged.
/// </summary>
public sealed class AccountMemberService(IDbContextFactory<AppDbContext> dbFactory, IValidator<AccountMemberInput> validator,
    IPasswordHasher<AccountMember> hasher, AccountSettingsService settings, IAccountStore store, TimeProvider clock)
{
    public const string DefaultSort = "-created_at";
    public const string UsernameTaken = "Another member has this username in this password profile.";
    public const string CurrentPasswordNeeded = "To change your password, sign in again first: send the token from that sign-in.";

    public static readonly FilterSchema Schema = new(new Dictionary<string, string[]>
    {
        ["id"] = ["eq", "in"],
        ["name"] = ["eq", "like", "ilike"],
        ["email"] = ["eq", "like", "ilike"],
        ["created_at"] = FilterSchema.Compare,
        ["updated_at"] = FilterSchema.Compare,
    });

    // Members ------------------------------------------------------------------------------------------------------

    public async Task<Page<AccountMemberDto>> ListAsync(ClaimsPrincipal user, AccountMemberQuery query, CancellationToken ct = default)
    {
        var own = Access.AccountMemberIdOf(user);
        if (own is null)
        {
            Access.Require(user, Permission.ReadCustomers);
        }
        var terms = Schema.Parse(query.Filter);
        var page = query.Page;
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        // A name or email contains (ends-with) search alone, newest first (the Users tab's search): the page and the count
        // from the provider's index, instead of sorting and counting every match.
        if (own is null && terms.Count == 1 && terms[0] is { Op: "like" or "ilike", Field: "name" or "email" } like
            && (string.IsNullOrWhiteSpace(query.Sort) || query.Sort.Trim() == DefaultSort)
            && LikePattern.Read(like.Value) is var (kind, text) && kind is LikeKind.Contains or LikeKind.EndsWith)
        {
            var (column, folded) = like.Field == "name"
                ? (nameof(AccountMember.NormalizedName), Customers.Customer.FoldName(text))
                : (nameof(AccountMember.NormalizedEmail), AccountText.FoldEmail(text));
            if (await store.NewestContainingAsync(db, db.AccountMembers, column, folded, kind == LikeKind.EndsWith,
                    q => Filter(db, terms, q), q => Sort(q, DefaultSort), page, ct) is var (first, found))
            {
                return new Page<AccountMemberDto>(first.Select(ToDtoCompiled).ToList(), found, page.Offset, page.Limit);
            }
        }
        var members = Filter(db, terms);
        if (own is { } self)
        {
            members = members.Where(m => m.Id == self);
        }
        var sorted = Sort(members, query.Sort);
        var rows = await sorted.Skip(page.Offset).Take(page.Limit).Select(ToDto).ToListAsync(ct);
        var total = page.Offset == 0 && rows.Count < page.Limit ? rows.Count : (await Counting.CountAsync(members, exact: true, ct)).Total;
        return new Page<AccountMemberDto>(rows, total, page.Offset, page.Limit);
    }

    /// <summary>The members a filter matches (or <paramref name="ids"/>), newest first, streamed: what an export reads.</summary>
    public async IAsyncEnumerable<AccountMember> ReadAsync(ClaimsPrincipal user, string? filter, IReadOnlyCollection<Guid>? ids,
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct = default)
    {
        Access.Require(user, Permission.ReadCustomers);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var q = Filter(db, Schema.Parse(filter));
        if (ids is not null)
        {
            q = q.Where(m => ids.Contains(m.Id));
        }
        await foreach (var member in Sort(q, DefaultSort).AsAsyncEnumerable().WithCancellation(ct))
        {
            yield return member;
        }
    }

    /// <summary>The members matching a filter (shared with the unassigned-members list).</summary>
    internal IQueryable<AccountMember> Filter(AppDbContext db, IReadOnlyList<FilterTerm> terms, IQueryable<AccountMember>? source = null)
    {
        terms = terms.Select(t => t.Op == "ilike" ? t with { Op = "like" } : t).ToList();
        // A name or email contains (ends-with) search starts from the provider's substring index when it has one; the
        // terms below still decide.
        IQueryable<AccountMember> q = source ?? db.AccountMembers;
        if (source is null && terms.FirstOrDefault(t => t.Op == "like" && t.Field is "name" or "email") is { } like)
        {
            var (kind, text) = LikePattern.Read(like.Value);
            if (kind is LikeKind.Contains or LikeKind.EndsWith)
            {
                q = like.Field == "name"
                    ? store.MemberNameCandidates(db, Customers.Customer.FoldName(text))
                    : store.MemberEmailCandidates(db, AccountText.FoldEmail(text));
            }
        }
        q = q.AsNoTracking();
        foreach (var term in terms)
        {
            q = term.Field switch
            {
                "id" when term.Op == "in" => InIds(q, term),
                "id" => IdIs(q, term),
                "name" => QueryBuilding.Text(q, term, m => m.NormalizedName, Customers.Customer.FoldName),
                "email" => QueryBuilding.Text(q, term, m => m.NormalizedEmail, AccountText.FoldEmail),
                "created_at" => q.Where(QueryBuilding.Compare(term.Op, (AccountMember m) => m.CreatedAt, FilterLanguage.ParseTimestamp(term))),
                "updated_at" => q.Where(QueryBuilding.Compare(term.Op, (AccountMember m) => m.UpdatedAt, FilterLanguage.ParseTimestamp(term))),
                _ => throw new FilterException($"Filtering account members on '{term.Field}' is not supported."),
            };
        }
        return q;
    }

    private static IQueryable<AccountMember> IdIs(IQueryable<AccountMember> q, FilterTerm t)
    {
        var id = FilterLanguage.ParseGuid(t);
        return q.Where(m => m.Id == id);
    }

    private static IQueryable<AccountMember> InIds(IQueryable<AccountMember> q, FilterTerm t)
    {
        var ids = t.Values.Select(v => FilterLanguage.ParseGuid(t with { Value = v })).ToList();
        return q.Where(m => ids.Contains(m.Id));
    }

    internal static IQueryable<AccountMember> Sort(IQueryable<AccountMember> q, string? sort) =>
        (string.IsNullOrWhiteSpace(sort) ? DefaultSort : sort.Trim()) switch
        {
            "created_at" => q.OrderBy(m => m.CreatedAt).ThenBy(m => m.Id),
            "-created_at" => q.OrderByDescending(m => m.CreatedAt).ThenByDescending(m => m.Id),
            "updated_at" => q.OrderBy(m => m.UpdatedAt).ThenBy(m => m.Id),
            "-updated_at" => q.OrderByDescending(m => m.UpdatedAt).ThenByDescending(m => m.Id),
            "name" => q.OrderBy(m => m.NormalizedName).ThenBy(m => m.Id),
            "-name" => q.OrderByDescending(m => m.NormalizedName).ThenByDescending(m => m.Id),
            "email" => q.OrderBy(m => m.NormalizedEmail).ThenBy(m => m.Id),
            "-email" => q.OrderByDescending(m => m.NormalizedEmail).ThenByDescending(m => m.Id),
            "id" => q.OrderBy(m => m.Id),
            "-id" => q.OrderByDescending(m => m.Id),
            var other => throw new FilterException(
                $"Sorting account members by '{other.TrimStart('-')}' is not supported. Use created_at, updated_at, name, email or id (- for descending).",
                FilterException.SortTitle),
        };

    /// <summary>Names of those of <paramref name="ids"/> that are members, for pages that list other things naming members.</summary>
    public async Task<IReadOnlyDictionary<Guid, string>> NamesAsync(ClaimsPrincipal user, IReadOnlyCollection<Guid> ids, CancellationToken ct = default)
    {
        Access.Require(user, Permission.ReadCustomers);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        return await db.AccountMembers.AsNoTracking().Where(m => ids.Contains(m.Id)).ToDictionaryAsync(m => m.Id, m => m.Name, ct);
    }

    /// <summary>The member, or null when it does not exist or is another member than an account token's own.</summary>
    public async Task<AccountMemberDto?> GetAsync(ClaimsPrincipal user, Guid id, CancellationToken ct = default)
    {
        if (!CanReachMember(user, id, write: false))
        {
            return null;
        }
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        return await db.AccountMembers.AsNoTracking().Where(m => m.Id == id).Select(ToDto).FirstOrDefaultAsync(ct);
    }

    public async Task<Outcome<AccountMemberDto>> CreateAsync(ClaimsPrincipal user, AccountMemberInput input, CancellationToken ct = default)
    {
        Access.Require(user, Permission.WriteCustomers);
        await validator.ValidateAndThrowAsync(input, ct);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var member = NewMember(input, clock.UtcNow());
        db.AccountMembers.Add(member);
        await db.SaveChangesAsync(ct);
        return ToDtoCompiled(member);
    }

    /// <summary>Changes name and email. A member's own token may, when the store lets members update themselves.</summary>
    public async Task<Outcome<AccountMemberDto>> UpdateAsync(ClaimsPrincipal user, Guid id, AccountMemberInput input, Guid? expectedVersion,
        CancellationToken ct = default)
    {
        if (!CanReachMember(user, id, write: true))
        {
            return Outcome.NotFound<AccountMemberDto>();
        }
        await RequireSelfManagementAsync(user, ct);
        await validator.ValidateAndThrowAsync(input, ct);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var member = await db.AccountMembers.FirstOrDefaultAsync(m => m.Id == id, ct);
        if (Saving.IsStale(member, expectedVersion, out Outcome<AccountMemberDto> stale))
        {
            return stale;
        }
        member.SetName(input.Name);
        member.SetEmail(input.Email);
        member.UpdatedAt = clock.UtcNow();
        member.Version = Guid.NewGuid();
        return await db.SaveOrConflictAsync(() => ToDtoCompiled(member), ct);
    }

    /// <summary>Deletes the member with its sign-in entries, memberships and tokens. Orders keep their copy of the contact.</summary>
    public async Task<bool> DeleteAsync(ClaimsPrincipal user, Guid id, CancellationToken ct = default)
    {
        Access.Require(user, Permission.WriteCustomers);
        return await Saving.RemoveAsync(dbFactory, db => db.AccountMembers.FirstOrDefaultAsync(m => m.Id == id, ct), ct);
    }

    internal static AccountMember NewMember(AccountMemberInput input, DateTime now)
    {
        var member = new AccountMember { Id = Guid.CreateVersion7(), CreatedAt = now, UpdatedAt = now, Version = Guid.NewGuid() };
        member.SetName(input.Name);
        member.SetEmail(input.Email);
        return member;
    }

    private static bool CanReachMember(ClaimsPrincipal user, Guid id, bool write)
    {
        if (Access.Has(user, write ? Permission.WriteCustomers : Permission.ReadCustomers))
        {
            return true;
        }
        if (Access.AccountMemberIdOf(user) is { } self)
        {
            return self == id;
        }
        throw new AccessDeniedException("Account members are read with a client_credentials token, or by the member itself (EP-Account-Management-Authentication-Token).");
    }

    private async Task RequireSelfManagementAsync(ClaimsPrincipal user, CancellationToken ct)
    {
        if (Access.AccountMemberIdOf(user) is not null && !(await settings.GetAsync(ct)).MembersMayUpdateThemselves)
        {
            throw new AccessDeniedException("Account members may not change their own details in this store (account_member_self_management is disabled).");
        }
    }

    // Password profiles --------------------------------------------------------------------------------------------

    /// <summary>The realm's password profiles: any caller (storefronts sign members in with one).</summary>
    public async Task<IReadOnlyList<PasswordProfileDto>> ProfilesAsync(CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        return await db.PasswordProfiles.AsNoTracking().OrderBy(p => p.CreatedAt).ThenBy(p => p.Id).Select(ProfileDto).ToListAsync(ct);
    }

    public async Task<PasswordProfileDto?> ProfileAsync(Guid id, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        return await db.PasswordProfiles.AsNoTracking().Where(p => p.Id == id).Select(ProfileDto).FirstOrDefaultAsync(ct);
    }

    public async Task<PasswordProfileDto> CreateProfileAsync(ClaimsPrincipal user, PasswordProfileInput input, CancellationToken ct = default)
    {
        Access.Require(user, Permission.ManageSignIn);
        ValidateProfile(input);
        var now = clock.UtcNow();
        var profile = new PasswordProfile
        {
            Id = Guid.CreateVersion7(), Name = input.Name.Trim(), UsernameFormat = input.UsernameFormat,
            EnableOneTimePasswordToken = input.EnableOneTimePasswordToken, CreatedAt = now, UpdatedAt = now,
        };
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        db.PasswordProfiles.Add(profile);
        await db.SaveChangesAsync(ct);
        return ProfileDtoCompiled(profile);
    }

    public async Task<PasswordProfileDto?> UpdateProfileAsync(ClaimsPrincipal user, Guid id, PasswordProfileInput input, CancellationToken ct = default)
    {
        Access.Require(user, Permission.ManageSignIn);
        ValidateProfile(input);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var profile = await db.PasswordProfiles.FirstOrDefaultAsync(p => p.Id == id, ct);
        if (profile is null)
        {
            return null;
        }
        (profile.Name, profile.UsernameFormat, profile.EnableOneTimePasswordToken, profile.UpdatedAt) =
            (input.Name.Trim(), input.UsernameFormat, input.EnableOneTimePasswordToken, clock.UtcNow());
        await db.SaveChangesAsync(ct);
        return ProfileDtoCompiled(profile);
    }

    /// <summary>Deletes the profile and every username and password in it (EP's rule), which ends those sign-ins.</summary>
    public async Task<bool> DeleteProfileAsync(ClaimsPrincipal user, Guid id, CancellationToken ct = default)
    {
        Access.Require(user, Permission.ManageSignIn);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        return await db.PasswordProfiles.Where(p => p.Id == id).ExecuteDeleteAsync(ct) > 0;
    }

    private static void ValidateProfile(PasswordProfileInput input)
    {
        var failures = new List<FluentValidation.Results.ValidationFailure>();
        if (string.IsNullOrWhiteSpace(input.Name) || input.Name.Trim().Length > AccountLimits.Text)
        {
            failures.Add(new(nameof(PasswordProfileInput.Name), $"name is required (up to {AccountLimits.Text} characters)."));
        }
        if (input.UsernameFormat is not (PasswordProfiles.AnyFormat or PasswordProfiles.EmailFormat))
        {
            failures.Add(new(nameof(PasswordProfileInput.UsernameFormat), "username_format must be any or email."));
        }
        if (failures.Count > 0)
        {
            throw new ValidationException(failures);
        }
    }

    // Usernames and passwords (EP's user authentication password profile info) ---------------------------------------

    public async Task<IReadOnlyList<MemberPasswordDto>?> PasswordsAsync(ClaimsPrincipal user, Guid memberId, CancellationToken ct = default)
    {
        if (!CanReachMember(user, memberId, write: false))
        {
            return null;
        }
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        if (!await db.AccountMembers.AnyAsync(m => m.Id == memberId, ct))
        {
            return null;
        }
        return await db.MemberPasswords.AsNoTracking().Where(p => p.MemberId == memberId).OrderBy(p => p.CreatedAt).Select(PasswordDto).ToListAsync(ct);
    }

    public async Task<MemberPasswordDto?> PasswordAsync(ClaimsPrincipal user, Guid memberId, Guid id, CancellationToken ct = default) =>
        (await PasswordsAsync(user, memberId, ct))?.FirstOrDefault(p => p.Id == id);

    /// <summary>Gives a member a username and password in a profile. Staff and API clients.</summary>
    public async Task<Outcome<MemberPasswordDto>> CreatePasswordAsync(ClaimsPrincipal user, Guid memberId, MemberPasswordInput input, CancellationToken ct = default)
    {
        Access.Require(user, Permission.WriteCustomers);
        var profile = await ValidatePasswordAsync(input, requirePassword: true, ct);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        if (!await db.AccountMembers.AnyAsync(m => m.Id == memberId, ct))
        {
            return Outcome.NotFound<MemberPasswordDto>();
        }
        // Hash before touching the database: PBKDF2 takes ~0.1 s and SQLite has a single writer.
        var entry = NewPassword(memberId, profile.Id, input.Username, hasher.HashPassword(Dummy, input.Password!), clock.UtcNow());
        db.MemberPasswords.Add(entry);
        return await db.SaveOrConflictAsync(() => PasswordDtoCompiled(entry), ct, nameof(MemberPasswordInput.Username), UsernameTaken);
    }

    /// <summary>
    /// Changes a username or password. Staff and API clients any member's; a member its own, with a token from a fresh
    /// sign-in, when the store lets members update themselves (EP's D2C password change). A new password ends the
    /// member's other tokens.
    /// </summary>
    public async Task<Outcome<MemberPasswordDto>> UpdatePasswordAsync(ClaimsPrincipal user, Guid memberId, Guid id, MemberPasswordInput input,
        CancellationToken ct = default)
    {
        if (!CanReachMember(user, memberId, write: true))
        {
            return Outcome.NotFound<MemberPasswordDto>();
        }
        await RequireSelfManagementAsync(user, ct);
        var profile = await ValidatePasswordAsync(input, requirePassword: false, ct);
        var hash = string.IsNullOrEmpty(input.Password) ? null : hasher.HashPassword(Dummy, input.Password);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        var entry = await db.MemberPasswords.FirstOrDefaultAsync(p => p.Id == id && p.MemberId == memberId, ct);
        if (entry is null || entry.PasswordProfileId != profile.Id)
        {
            return Outcome.NotFound<MemberPasswordDto>();
        }
        entry.Username = input.Username.Trim();
        entry.NormalizedUsername = AccountText.FoldEmail(entry.Username);
        entry.UpdatedAt = clock.UtcNow();
        if (hash is not null)
        {
            entry.PasswordHash = hash;
            var keep = Access.AccountTokenIdOf(user);
            await db.AccountMemberTokens.Where(t => t.MemberId == memberId && t.Id != keep).ExecuteDeleteAsync(ct);
        }
        var saved = await db.SaveOrConflictAsync(() => PasswordDtoCompiled(entry), ct, nameof(MemberPasswordInput.Username), UsernameTaken);
        if (saved.IsOk)
        {
            await transaction.CommitAsync(ct);
        }
        return saved;
    }

    public async Task<bool> DeletePasswordAsync(ClaimsPrincipal user, Guid memberId, Guid id, CancellationToken ct = default)
    {
        Access.Require(user, Permission.WriteCustomers);
        return await Saving.RemoveAsync(dbFactory, db => db.MemberPasswords.FirstOrDefaultAsync(p => p.Id == id && p.MemberId == memberId, ct), ct);
    }

    private async Task<PasswordProfileDto> ValidatePasswordAsync(MemberPasswordInput input, bool requirePassword, CancellationToken ct)
    {
        var profile = await ProfileAsync(input.PasswordProfileId, ct);
        var failures = new List<FluentValidation.Results.ValidationFailure>();
        if (profile is null)
        {
            failures.Add(new("PasswordProfileId", "password_profile_id is not a password profile of this realm."));
        }
        if (string.IsNullOrWhiteSpace(input.Username) || input.Username.Trim().Length > AccountLimits.Username)
        {
            failures.Add(new(nameof(MemberPasswordInput.Username), $"username is required (up to {AccountLimits.Username} characters)."));
        }
        else if (profile?.UsernameFormat == PasswordProfiles.EmailFormat && !EmailRules.IsValid(input.Username))
        {
            failures.Add(new(nameof(MemberPasswordInput.Username), "username must be an email address in this password profile."));
        }
        if ((requirePassword || !string.IsNullOrEmpty(input.Password)) && PasswordPolicy.Check(input.Password) is { } problem)
        {
            failures.Add(new(nameof(MemberPasswordInput.Password), problem));
        }
        if (failures.Count > 0)
        {
            throw new ValidationException(failures);
        }
        return profile!;
    }

    internal static MemberPassword NewPassword(Guid memberId, Guid profileId, string username, string hash, DateTime now) => new()
    {
        Id = Guid.CreateVersion7(), MemberId = memberId, PasswordProfileId = profileId, Username = username.Trim(),
        NormalizedUsername = AccountText.FoldEmail(username), PasswordHash = hash, CreatedAt = now, UpdatedAt = now,
    };

    // Sign-in ----------------------------------------------------------------------------------------------------------

    /// <summary>
    /// The member a username and password sign in, or null. The same time is spent for an unknown username, so response
    /// times do not tell which usernames exist. Usernames match case-insensitively in ASCII (EP's starters lower-case them).
    /// </summary>
    public async Task<Guid?> VerifyPasswordAsync(Guid profileId, string username, string password, CancellationToken ct = default)
    {
        var normalized = AccountText.FoldEmail(username);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var entry = await db.MemberPasswords.FirstOrDefaultAsync(p => p.PasswordProfileId == profileId && p.NormalizedUsername == normalized, ct);
        if (entry is null)
        {
            hasher.VerifyHashedPassword(Dummy, DummyHash.Value, password);
            return null;
        }
        var result = hasher.VerifyHashedPassword(Dummy, entry.PasswordHash, password);
        if (result == PasswordVerificationResult.Failed)
        {
            return null;
        }
        if (result == PasswordVerificationResult.SuccessRehashNeeded)
        {
            using var unrecorded = ChangeContext.Unrecorded();
            entry.PasswordHash = hasher.HashPassword(Dummy, password);
            await db.SaveChangesAsync(ct);
        }
        return entry.MemberId;
    }

    /// <summary>A self sign-up: name, email, username and password, checked as an API client's would be.</summary>
    public sealed record SignUp(Guid PasswordProfileId, string Username, string Password, string Name, string Email);

    /// <summary>
    /// EP's self sign-up: a new member with a username and password in the profile and, when the store says so, an
    /// account of its own named after it, with the membership, all in one transaction. Only when the store allows self
    /// sign-up; the username must be free (checked before hashing).
    /// </summary>
    public async Task<Outcome<Guid>> SignUpAsync(SignUp request, CancellationToken ct = default)
    {
        var store = await settings.GetAsync(ct);
        if (!store.EnableSelfSignup)
        {
            throw new AccessDeniedException("Self sign-up is not enabled in this store (PUT /v2/settings/account-authentication {\"enable_self_signup\":true}).");
        }
        await validator.ValidateAndThrowAsync(new AccountMemberInput { Name = request.Name, Email = request.Email }, ct);
        var profile = await ValidatePasswordAsync(new MemberPasswordInput(request.PasswordProfileId, request.Username, request.Password), requirePassword: true, ct);
        var normalized = AccountText.FoldEmail(request.Username);
        await using (var check = await dbFactory.CreateDbContextAsync(ct))
        {
            if (await check.MemberPasswords.AnyAsync(p => p.PasswordProfileId == profile.Id && p.NormalizedUsername == normalized, ct))
            {
                return Outcome.Duplicate<Guid>(nameof(MemberPasswordInput.Username), UsernameTaken);
            }
        }
        var hash = hasher.HashPassword(Dummy, request.Password);
        var now = clock.UtcNow();
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var member = NewMember(new AccountMemberInput { Name = request.Name, Email = request.Email }, now);
        db.AccountMembers.Add(member);
        db.MemberPasswords.Add(NewPassword(member.Id, profile.Id, request.Username, hash, now));
        if (store.AutoCreateAccountForAccountMembers)
        {
            var account = new ShopperAccount { Id = Guid.CreateVersion7(), CreatedAt = now, UpdatedAt = now, Version = Guid.NewGuid() };
            account.SetName(member.Name);
            account.SetLegalName(member.Name);
            db.Accounts.Add(account);
            db.AccountMemberships.Add(new AccountMembership { Id = Guid.CreateVersion7(), AccountId = account.Id, MemberId = member.Id, CreatedAt = now, UpdatedAt = now });
        }
        return await db.SaveOrConflictAsync(() => member.Id, ct, nameof(MemberPasswordInput.Username), UsernameTaken);
    }

    private static readonly AccountMember Dummy = new();
    private readonly Lazy<string> DummyHash = new(() => hasher.HashPassword(Dummy, Guid.NewGuid().ToString()));

    internal static readonly System.Linq.Expressions.Expression<Func<AccountMember, AccountMemberDto>> ToDto = m =>
        new AccountMemberDto(m.Id, m.Name, m.Email, m.CreatedAt, m.UpdatedAt, m.Version);

    internal static readonly Func<AccountMember, AccountMemberDto> ToDtoCompiled = ToDto.Compile();

    private static readonly System.Linq.Expressions.Expression<Func<PasswordProfile, PasswordProfileDto>> ProfileDto = p =>
        new PasswordProfileDto(p.Id, p.Name, p.UsernameFormat, p.EnableOneTimePasswordToken, p.CreatedAt, p.UpdatedAt);

    private static readonly Func<PasswordProfile, PasswordProfileDto> ProfileDtoCompiled = ProfileDto.Compile();

    private static readonly System.Linq.Expressions.Expression<Func<MemberPassword, MemberPasswordDto>> PasswordDto = p =>
        new MemberPasswordDto(p.Id, p.MemberId, p.PasswordProfileId, p.Username, p.CreatedAt, p.UpdatedAt);

    private static readonly Func<MemberPassword, MemberPasswordDto> PasswordDtoCompiled = PasswordDto.Compile();
}
