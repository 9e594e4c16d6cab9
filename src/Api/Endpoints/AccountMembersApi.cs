using System.Security.Claims;
using CommerceManager.Accounts;
using CommerceManager.Api.Wire;
using CommerceManager.CustomerSignIn;
using CommerceManager.Security;

namespace CommerceManager.Api.Endpoints;

/// <summary>
/// EP's Account Management sign-in: account members, their tokens (<c>POST /v2/account-members/tokens</c>), the
/// account authentication and membership settings, and the account realm's password profiles, user authentication
/// info and password profile info.
/// </summary>
public static class AccountMembersApi
{
    public const string InvalidCredentials = "The username or password is not right.";
    public const string TokenType = "account_management_authentication_token";

    public static RouteGroupBuilder MapAccountMembersApi(this RouteGroupBuilder v2)
    {
        var members = v2.MapGroup("/account-members").WithTags("Account members").ValidationErrors(400).RequireRateLimiting(StoreReadGate.Policy);
        members.MapPost("/tokens", TokensAsync).WithSummary("Sign an account member in: one token per account it belongs to")
            .WithDescription("authentication_mechanism password (password_profile_id, username, password), self_signup (… plus name, email), oidc " +
                "(oauth_authorization_code, oauth_redirect_uri, oauth_code_verifier) or account_management_authentication_token (the header's token: " +
                "tokens again, to switch accounts or refresh). 201 with data[] of {account_id, account_name, token, expires} and meta.account_member_id.")
            .Produces<AccountTokensResponse>(201).Produces<ApiErrorBody>(401).Produces<ApiErrorBody>(403).Produces<ApiErrorBody>(429);
        members.MapGet("", ListAsync).WithSummary("List account members (client credentials; a member's token: itself)")
            .WithDescription("filter= eq/like/ilike on name and email, eq/in on id, dates; sort= created_at, updated_at, name, email, id.")
            .Produces<ListResponse<AccountMemberResource>>();
        members.MapGet("/{id:guid}", GetAsync).WithSummary("Get an account member (a member's token: itself)")
            .Produces<AccountMemberResponse>().Produces<ApiErrorBody>(404);
        members.MapGet("/{id:guid}/account-memberships", MembershipsAsync).WithSummary("The accounts a member belongs to (include=account adds them)")
            .Produces<ListResponse<MembershipResource>>().Produces<ApiErrorBody>(404);

        v2.MapGet("/settings/account-authentication", SettingsAsync).WithTags("Account members")
            .WithSummary("The account authentication settings (any token reads them: storefronts find the realm here)")
            .Produces<AccountSettingsResponse>();
        var settings = v2.MapGroup("/settings").WithTags("Account members").RequireAuthorization(ApiSetup.ClientCredentials).ValidationErrors(400);
        settings.MapPut("/account-authentication", UpdateSettingsAsync).WithSummary("Change the account authentication settings (client credentials)")
            .WithDescription("{\"data\":{\"type\":\"account_authentication_settings\",\"enable_self_signup\"?,\"auto_create_account_for_account_members\"?," +
                "\"account_member_self_management\"?:\"disabled|update_only\",\"account_management_authentication_token_timeout_secs\"?}}")
            .Produces<AccountSettingsResponse>();
        settings.MapGet("/account-membership", MembershipSettingsAsync).WithSummary("The membership limit (client credentials)")
            .Produces<DataResponse<MembershipSettingsResource>>();
        settings.MapPut("/account-membership", UpdateMembershipSettingsAsync).WithSummary("Change the membership limit (client credentials)")
            .Produces<DataResponse<MembershipSettingsResource>>();

        var realm = v2.MapGroup("/authentication-realms/{realmId:guid}").WithTags("Account members").ValidationErrors(400);
        realm.MapGet("/password-profiles", ProfilesAsync).WithSummary("The account realm's password profiles").Produces<ListResponse<PasswordProfileResource>>();
        realm.MapGet("/password-profiles/{id:guid}", ProfileAsync).WithSummary("Get a password profile").Produces<DataResponse<PasswordProfileResource>>();
        realm.MapPost("/password-profiles/{profileId:guid}/one-time-password-token-request", OneTimePasswordAsync)
            .WithSummary("Send a member a one-time password through the store's webhooks (any token; 202 whether or not the username exists)")
            .WithDescription("{\"data\":{\"type\":\"one_time_password_token_request\",\"username\",\"purpose\":\"reset_password|passwordless_authentication\"}} " +
                "(the data wrapper may be left out). The code goes to the webhooks observing one-time-password-token-request.created; it lasts 10 minutes, " +
                "works once, and is exchanged with authentication_mechanism passwordless at /v2/account-members/tokens. Needs enable_one_time_password_token on the profile.")
            .Produces(202).Produces<ApiErrorBody>(400).Produces<ApiErrorBody>(404).Produces<ApiErrorBody>(429);
        var manageRealm = realm.MapGroup("").RequireAuthorization(ApiSetup.ClientCredentials);
        manageRealm.MapPost("/password-profiles", CreateProfileAsync).WithSummary("Add a password profile (client credentials)")
            .Produces<PasswordProfileResponse>(201);
        manageRealm.MapPut("/password-profiles/{id:guid}", UpdateProfileAsync).WithSummary("Change a password profile (client credentials)")
            .Produces<PasswordProfileResponse>();
        manageRealm.MapDelete("/password-profiles/{id:guid}", DeleteProfileAsync).WithSummary("Delete a password profile and every password in it (client credentials)")
            .Produces(204);

        manageRealm.MapGet("/user-authentication-info", UsersAsync).WithSummary("List account members as user authentication info (client credentials)")
            .Produces<ListResponse<UserAuthenticationInfoResource>>();
        manageRealm.MapPost("/user-authentication-info", CreateUserAsync).WithSummary("Create an account member (client credentials)")
            .WithDescription("{\"data\":{\"type\":\"user_authentication_info\",\"name\",\"email\"}}: its id is the account member's id.")
            .Produces<UserAuthenticationInfoResponse>(201);
        realm.MapGet("/user-authentication-info/{id:guid}", UserAsync).WithSummary("Get user authentication info (a member's token: its own)")
            .Produces<UserAuthenticationInfoResponse>();
        realm.MapPut("/user-authentication-info/{id:guid}", UpdateUserAsync)
            .WithSummary("Change a member's name and email (client credentials; a member's token its own under update_only)").Produces<UserAuthenticationInfoResponse>();
        manageRealm.MapDelete("/user-authentication-info/{id:guid}", DeleteUserAsync).WithSummary("Delete an account member (client credentials)").Produces(204);

        var passwords = realm.MapGroup("/user-authentication-info/{userId:guid}/user-authentication-password-profile-info");
        passwords.MapGet("", PasswordsAsync).WithSummary("A member's usernames (client credentials; a member's token: its own)")
            .Produces<ListResponse<PasswordInfoResource>>();
        passwords.MapGet("/{id:guid}", PasswordAsync).WithSummary("Get a member's username in a profile").Produces<PasswordInfoResponse>();
        passwords.MapPut("/{id:guid}", UpdatePasswordAsync)
            .WithSummary("Change a username or password (client credentials; a member's token its own under update_only: the D2C password change)")
            .Produces<PasswordInfoResponse>();
        var managePasswords = passwords.MapGroup("").RequireAuthorization(ApiSetup.ClientCredentials);
        managePasswords.MapPost("", CreatePasswordAsync).WithSummary("Give a member a username and password (client credentials)")
            .WithDescription("{\"data\":{\"type\":\"user_authentication_password_profile_info\",\"password_profile_id\",\"username\",\"password\" (8+ characters)}}")
            .Produces<PasswordInfoResponse>(201);
        managePasswords.MapDelete("/{id:guid}", DeletePasswordAsync).WithSummary("Remove a member's username and password (client credentials)").Produces(204);
        return v2;
    }

    internal static AccountMemberResource Resource(HttpRequest request, AccountMemberDto m) => new(m.Id, "account_member", m.Name, m.Email,
        TimestampsMeta.Of(m.CreatedAt, m.UpdatedAt), ApiLinks.Self(request, $"/v2/account-members/{m.Id}"));

    private static async Task<IResult> ListAsync(HttpRequest request, ClaimsPrincipal user, AccountMemberService members, CancellationToken ct)
    {
        var page = ApiPaging.Read(request);
        var result = await members.ListAsync(user, new AccountMemberQuery(request.Query["filter"].ToString(), request.Query["sort"].ToString(), page.Offset, page.Limit), ct);
        return TypedResults.Json(ApiPaging.List(request, result.Items.Select(m => Resource(request, m)).ToList(), result.Total, page));
    }

    private static async Task<IResult> GetAsync(Guid id, HttpRequest request, ClaimsPrincipal user, AccountMemberService members, CancellationToken ct) =>
        await members.GetAsync(user, id, ct) is { } m
            ? TypedResults.Json(new AccountMemberResponse(Resource(request, m), ApiLinks.Self(request, $"/v2/account-members/{id}")))
            : ApiErrors.Result(404, "Not Found", "account member not found");

    private static async Task<IResult> MembershipsAsync(Guid id, HttpRequest request, ClaimsPrincipal user, MembershipService memberships, CancellationToken ct)
    {
        var page = ApiPaging.Read(request);
        var result = await memberships.OfMemberAsync(user, id, page, ct);
        if (result is null)
        {
            return ApiErrors.Result(404, "Not Found", "account member not found");
        }
        var list = ApiPaging.List(request, result.Items.Select(m => AccountsApi.Membership(request, m, ofMember: true)).ToList(), result.Total, page);
        return request.Query["include"].ToString().Contains("account", StringComparison.OrdinalIgnoreCase)
            ? TypedResults.Json(new MembershipsWithAccountsResponse(list.Data, list.Links, list.Meta, new IncludedAccounts(result.Items
                .Select(m => new IncludedAccount(m.AccountId, "account", m.AccountName, m.AccountLegalName, m.AccountRegistrationId)).ToList())))
            : TypedResults.Json(list);
    }

    // Tokens ------------------------------------------------------------------------------------------------------------

    private static async Task<IResult> TokensAsync(HttpContext context, ApiBody<AccountTokenData> body, ClaimsPrincipal user, AccountMemberService members,
        AccountTokenService tokens, OidcSignInService signIn, OneTimePasswords oneTimePasswords, ApiRateLimits limits, CancellationToken ct)
    {
        limits.CheckIp(context, "account-member-tokens");
        var data = body.Data;
        var mechanism = data.AuthenticationMechanism.Value;
        Guid memberId;
        switch (mechanism)
        {
            case "password":
            {
                Required(("password_profile_id", data.PasswordProfileId.Value), ("username", data.Username.Value), ("password", data.Password.Value));
                var profile = ProfileId(data.PasswordProfileId.Value!);
                if (await CountedAsync(limits, data.Username.Value!, () => members.VerifyPasswordAsync(profile, data.Username.Value!, data.Password.Value!, ct))
                    is not { } verified)
                {
                    return ApiErrors.Result(401, "Unauthorized", InvalidCredentials);
                }
                memberId = verified;
                break;
            }
            case "self_signup":
            {
                Required(("password_profile_id", data.PasswordProfileId.Value), ("username", data.Username.Value), ("password", data.Password.Value),
                    ("name", data.Name.Value), ("email", data.Email.Value));
                if (!user.IsClientCredentials())
                {
                    // Anyone with the public client id can sign up: counted per address, as customer registrations are.
                    limits.CheckIp(context, "registration");
                }
                var signedUp = await members.SignUpAsync(new AccountMemberService.SignUp(ProfileId(data.PasswordProfileId.Value!), data.Username.Value!,
                    data.Password.Value!, data.Name.Value!, data.Email.Value!), ct);
                if (!signedUp.IsOk)
                {
                    return ApiErrors.Failure(signedUp, "This account member");
                }
                memberId = signedUp.Value;
                break;
            }
            case TokenType:
            {
                // EP's "switch account tokens": the header's token, valid, gives the member's tokens again.
                if (Access.AccountMemberIdOf(user) is not { } self)
                {
                    return ApiErrors.Result(401, "Unauthorized",
                        "authentication_mechanism account_management_authentication_token needs a valid EP-Account-Management-Authentication-Token header.");
                }
                memberId = self;
                break;
            }
            case "oidc":
            {
                Required(("oauth_authorization_code", data.OauthAuthorizationCode.Value), ("oauth_redirect_uri", data.OauthRedirectUri.Value),
                    ("oauth_code_verifier", data.OauthCodeVerifier.Value));
                var outcome = await signIn.SignInAsync(user, new OidcCodeRedemption(data.OauthAuthorizationCode.Value, data.OauthRedirectUri.Value,
                    data.OauthCodeVerifier.Value, data.OidcProfileId.Value), ct, RealmKind.AccountMembers);
                if (!outcome.IsOk)
                {
                    return ApiErrors.Failure(outcome, "This sign-in");
                }
                memberId = outcome.Value;
                break;
            }
            case "passwordless":
            {
                Required(("password_profile_id", data.PasswordProfileId.Value), ("username", data.Username.Value),
                    ("one_time_password_token", data.OneTimePasswordToken.Value));
                var profile = ProfileId(data.PasswordProfileId.Value!);
                if (await CountedAsync(limits, data.Username.Value!, () => oneTimePasswords.RedeemAsync(profile, data.Username.Value!, data.OneTimePasswordToken.Value!, ct))
                    is not { } redeemed)
                {
                    return ApiErrors.Result(401, "Unauthorized", OneTimePasswordRefused);
                }
                memberId = redeemed;
                break;
            }
            default:
                return ApiErrors.Result(400, "Bad Request",
                    "authentication_mechanism must be password, self_signup, oidc, passwordless or account_management_authentication_token.", "data.authentication_mechanism");
        }
        var page = ApiPaging.Read(context.Request);
        if (!context.Request.Query.ContainsKey("page[limit]"))
        {
            page = page with { Limit = AccountTokenService.DefaultPageSize };
        }
        var issued = await tokens.IssueAsync(memberId, mechanism, page, ct);
        var list = ApiPaging.List(context.Request, issued.Items.Select(t => new AccountTokenResource(TokenType, t.AccountId, t.AccountName, t.Token,
            ApiJson.Timestamp(t.Expires.UtcDateTime))).ToList(), issued.Total, page);
        return TypedResults.Json(new AccountTokensResponse(list.Data, list.Links,
            new AccountTokensMeta(memberId, list.Meta.Page, list.Meta.Results)), statusCode: 201);
    }

    /// <summary>
    /// EP's words for a one-time password that does not sign in (wrong, used, expired): EP's commerce-essentials starter
    /// compares them to tell the shopper the reset link has expired.
    /// </summary>
    public const string OneTimePasswordRefused = "the authorization realm for the token could not be found";

    private static async Task<IResult> OneTimePasswordAsync(Guid realmId, Guid profileId, HttpContext context, ApiBody<OneTimePasswordRequestData> body,
        OneTimePasswords oneTimePasswords, ApiRateLimits limits, CancellationToken ct)
    {
        limits.CheckIp(context, "one-time-password");
        var data = body.Data;
        Required(("username", data.Username.Value), ("purpose", data.Purpose.Value));
        if (!OneTimePasswords.Purposes.Contains(data.Purpose.Value))
        {
            return ApiErrors.Result(400, "Bad Request", "purpose must be reset_password or passwordless_authentication.", "data.purpose");
        }
        limits.CountRequest("one-time-password:" + AccountText.FoldEmail(data.Username.Value!),
            "Too many one-time passwords asked for this username. Wait a few minutes, then try again.");
        var outcome = await oneTimePasswords.RequestAsync(realmId, profileId, data.Username.Value!, data.Purpose.Value!, ct);
        return outcome.Kind switch
        {
            Common.OutcomeKind.Ok => TypedResults.StatusCode(202),
            Common.OutcomeKind.NotFound => ApiErrors.Result(404, "Not Found", "password profile not found"),
            _ => ApiErrors.Result(400, "Bad Request", outcome.Error),
        };
    }

    /// <summary>A sign-in by username: refused with 429 while the username has used up its failed tries, and a failure counted.</summary>
    private static async Task<Guid?> CountedAsync(ApiRateLimits limits, string username, Func<Task<Guid?>> verify)
    {
        var account = "member:" + AccountText.FoldEmail(username);
        limits.CheckAccount(account);
        var member = await verify();
        if (member is null)
        {
            limits.RecordFailure(account);
        }
        return member;
    }

    private static void Required(params (string Name, string? Value)[] fields) =>
        ApiException.ThrowIfAny(fields.Where(f => string.IsNullOrEmpty(f.Value))
            .Select(f => new ApiError(400, "Bad Request", $"{f.Name} is required.", $"data.{f.Name}")).ToList(), 400);

    private static Guid ProfileId(string text) => Guid.TryParse(text, out var id)
        ? id
        : throw new ApiException(400, "Bad Request", "password_profile_id must be a password profile id (a UUID).", "data.password_profile_id");

    // Settings ----------------------------------------------------------------------------------------------------------

    private static AccountSettingsResponse Settings(HttpRequest request, AccountSettingsDto s) => new(new AccountSettingsResource(s.Id, "account_authentication_settings",
        s.EnableSelfSignup, s.AutoCreateAccountForAccountMembers, s.AccountMemberSelfManagement, s.TokenTimeoutSeconds,
        new AccountSettingsRelationships(new RealmLinkRelationship(new RealmLinkRef("authentication_realm", s.Realm.Id.ToString(),
            ApiLinks.Self(request, $"/v2/authentication-realms/{s.Realm.Id}")))),
        new ClientIdMeta(AccountManagementClientId)), ApiLinks.Self(request, "/v2/settings/account-authentication"));

    /// <summary>EP's client id for account members' OpenID Connect sign-in through the store.</summary>
    public const string AccountManagementClientId = OidcSignInService.AccountManagementClientId;

    private static async Task<IResult> SettingsAsync(HttpRequest request, AccountSettingsService settings, CancellationToken ct) =>
        TypedResults.Json(Settings(request, await settings.GetAsync(ct)));

    private static async Task<IResult> UpdateSettingsAsync(ApiBody<AccountSettingsData> body, HttpRequest request, ClaimsPrincipal user,
        AccountSettingsService settings, CancellationToken ct)
    {
        var d = body.Data;
        var updated = await settings.UpdateAsync(user, new AccountSettingsInput(d.EnableSelfSignup.Value, d.AutoCreateAccountForAccountMembers.Value,
            d.AccountMemberSelfManagement.Value, d.AccountManagementAuthenticationTokenTimeoutSecs.Value is { } t ? (int)Math.Clamp(t, int.MinValue, int.MaxValue) : null), ct);
        return TypedResults.Json(Settings(request, updated));
    }

    private static async Task<IResult> MembershipSettingsAsync(AccountSettingsService settings, CancellationToken ct) =>
        TypedResults.Json(new DataResponse<MembershipSettingsResource>(new("account_membership_setting", (await settings.GetAsync(ct)).MembershipLimit)));

    private static async Task<IResult> UpdateMembershipSettingsAsync(ApiBody<MembershipSettingsData> body, ClaimsPrincipal user, AccountSettingsService settings,
        CancellationToken ct)
    {
        if (body.Data.MembershipLimit.Value is not { } limit)
        {
            return ApiErrors.Result(400, "Bad Request", "membership_limit is required.", "data.membership_limit");
        }
        var updated = await settings.UpdateAsync(user, new AccountSettingsInput(MembershipLimit: (int)Math.Clamp(limit, int.MinValue, int.MaxValue)), ct);
        return TypedResults.Json(new DataResponse<MembershipSettingsResource>(new("account_membership_setting", updated.MembershipLimit)));
    }

    // The account realm -------------------------------------------------------------------------------------------------

    /// <summary>Password profiles and user authentication info live in the account realm; the customer realm has none here.</summary>
    private static async Task RequireAccountRealmAsync(Guid realmId, RealmService realms, CancellationToken ct)
    {
        var realm = await SignInApi.RequireRealmAsync(realmId, realms, ct);
        if (realm.Kind != RealmKind.AccountMembers)
        {
            throw new ApiException(404, "Not Found",
                "Password profiles and user authentication info are in the account realm: read its id from GET /v2/settings/account-authentication.");
        }
    }

    private static PasswordProfileResource Profile(HttpRequest request, Guid realmId, PasswordProfileDto p) => new(p.Id, "password_profile", p.Name,
        p.UsernameFormat, p.EnableOneTimePasswordToken, new FlatTimestamps(ApiJson.Timestamp(p.CreatedAt), ApiJson.Timestamp(p.UpdatedAt)),
        ApiLinks.Self(request, $"/v2/authentication-realms/{realmId}/password-profiles/{p.Id}"));

    private static async Task<IResult> ProfilesAsync(Guid realmId, HttpRequest request, RealmService realms, AccountMemberService members, CancellationToken ct)
    {
        await RequireAccountRealmAsync(realmId, realms, ct);
        return TypedResults.Json(ApiPaging.All(request, (await members.ProfilesAsync(ct)).Select(p => Profile(request, realmId, p)).ToList()));
    }

    private static async Task<IResult> ProfileAsync(Guid realmId, Guid id, HttpRequest request, RealmService realms, AccountMemberService members, CancellationToken ct)
    {
        await RequireAccountRealmAsync(realmId, realms, ct);
        return await members.ProfileAsync(id, ct) is { } p
            ? TypedResults.Json(new PasswordProfileResponse(Profile(request, realmId, p), ApiLinks.Self(request, $"/v2/authentication-realms/{realmId}/password-profiles/{id}")))
            : ApiErrors.Result(404, "Not Found", "password profile not found");
    }

    private static async Task<IResult> CreateProfileAsync(Guid realmId, ApiBody<PasswordProfileData> body, HttpRequest request, ClaimsPrincipal user,
        RealmService realms, AccountMemberService members, CancellationToken ct)
    {
        await RequireAccountRealmAsync(realmId, realms, ct);
        var d = body.Data;
        var created = await members.CreateProfileAsync(user, new PasswordProfileInput(d.Name.Value ?? "", d.UsernameFormat.Value ?? PasswordProfiles.AnyFormat,
            d.EnableOneTimePasswordToken.Value ?? false), ct);
        return TypedResults.Json(new PasswordProfileResponse(Profile(request, realmId, created),
            ApiLinks.Self(request, $"/v2/authentication-realms/{realmId}/password-profiles/{created.Id}")), statusCode: 201);
    }

    private static async Task<IResult> UpdateProfileAsync(Guid realmId, Guid id, ApiBody<PasswordProfileData> body, HttpRequest request, ClaimsPrincipal user,
        RealmService realms, AccountMemberService members, CancellationToken ct)
    {
        await RequireAccountRealmAsync(realmId, realms, ct);
        if (await members.ProfileAsync(id, ct) is not { } current)
        {
            return ApiErrors.Result(404, "Not Found", "password profile not found");
        }
        var d = body.Data;
        var updated = await members.UpdateProfileAsync(user, id, new PasswordProfileInput(d.Name.Value ?? current.Name, d.UsernameFormat.Value ?? current.UsernameFormat,
            d.EnableOneTimePasswordToken.Value ?? current.EnableOneTimePasswordToken), ct);
        return updated is null
            ? ApiErrors.Result(404, "Not Found", "password profile not found")
            : TypedResults.Json(new PasswordProfileResponse(Profile(request, realmId, updated), ApiLinks.Self(request, $"/v2/authentication-realms/{realmId}/password-profiles/{id}")));
    }

    private static async Task<IResult> DeleteProfileAsync(Guid realmId, Guid id, ClaimsPrincipal user, RealmService realms, AccountMemberService members, CancellationToken ct)
    {
        await RequireAccountRealmAsync(realmId, realms, ct);
        return await members.DeleteProfileAsync(user, id, ct) ? TypedResults.NoContent() : ApiErrors.Result(404, "Not Found", "password profile not found");
    }

    private static UserAuthenticationInfoResource User(HttpRequest request, Guid realmId, AccountMemberDto m) => new(m.Id, "user_authentication_info", m.Name, m.Email,
        new UserInfoMeta(ApiJson.Timestamp(m.CreatedAt), ApiJson.Timestamp(m.UpdatedAt), "COMPLETE"),
        ApiLinks.Self(request, $"/v2/authentication-realms/{realmId}/user-authentication-info/{m.Id}"));

    private static async Task<IResult> UsersAsync(Guid realmId, HttpRequest request, ClaimsPrincipal user, RealmService realms, AccountMemberService members,
        CancellationToken ct)
    {
        await RequireAccountRealmAsync(realmId, realms, ct);
        var page = ApiPaging.Read(request);
        var result = await members.ListAsync(user, new AccountMemberQuery(request.Query["filter"].ToString(), request.Query["sort"].ToString(), page.Offset, page.Limit), ct);
        return TypedResults.Json(ApiPaging.List(request, result.Items.Select(m => User(request, realmId, m)).ToList(), result.Total, page));
    }

    private static async Task<IResult> UserAsync(Guid realmId, Guid id, HttpRequest request, ClaimsPrincipal user, RealmService realms, AccountMemberService members,
        CancellationToken ct)
    {
        await RequireAccountRealmAsync(realmId, realms, ct);
        return await members.GetAsync(user, id, ct) is { } m
            ? TypedResults.Json(new UserAuthenticationInfoResponse(User(request, realmId, m), ApiLinks.Self(request, $"/v2/authentication-realms/{realmId}/user-authentication-info/{id}")))
            : ApiErrors.Result(404, "Not Found", "user authentication info not found");
    }

    private static async Task<IResult> CreateUserAsync(Guid realmId, ApiBody<UserAuthenticationInfoData> body, HttpRequest request, ClaimsPrincipal user,
        RealmService realms, AccountMemberService members, CancellationToken ct)
    {
        await RequireAccountRealmAsync(realmId, realms, ct);
        var created = await members.CreateAsync(user, new AccountMemberInput { Name = body.Data.Name.Value ?? "", Email = body.Data.Email.Value ?? "" }, ct);
        return TypedResults.Json(new UserAuthenticationInfoResponse(User(request, realmId, created.Value!),
            ApiLinks.Self(request, $"/v2/authentication-realms/{realmId}/user-authentication-info/{created.Value!.Id}")), statusCode: 201);
    }

    private static async Task<IResult> UpdateUserAsync(Guid realmId, Guid id, ApiBody<UserAuthenticationInfoData> body, HttpRequest request, ClaimsPrincipal user,
        RealmService realms, AccountMemberService members, CancellationToken ct)
    {
        await RequireAccountRealmAsync(realmId, realms, ct);
        var current = await members.GetAsync(user, id, ct);
        if (current is null)
        {
            return ApiErrors.Result(404, "Not Found", "user authentication info not found");
        }
        var outcome = await members.UpdateAsync(user, id, new AccountMemberInput
        {
            Name = body.Data.Name.IsSet ? body.Data.Name.Value ?? "" : current.Name,
            Email = body.Data.Email.IsSet ? body.Data.Email.Value ?? "" : current.Email,
        }, current.Version, ct);
        return outcome.IsOk
            ? TypedResults.Json(new UserAuthenticationInfoResponse(User(request, realmId, outcome.Value!), ApiLinks.Self(request, $"/v2/authentication-realms/{realmId}/user-authentication-info/{id}")))
            : ApiErrors.Failure(outcome, "This account member");
    }

    private static async Task<IResult> DeleteUserAsync(Guid realmId, Guid id, ClaimsPrincipal user, RealmService realms, AccountMemberService members, CancellationToken ct)
    {
        await RequireAccountRealmAsync(realmId, realms, ct);
        return await members.DeleteAsync(user, id, ct) ? TypedResults.NoContent() : ApiErrors.Result(404, "Not Found", "user authentication info not found");
    }

    private static PasswordInfoResource PasswordInfo(HttpRequest request, Guid realmId, MemberPasswordDto p) => new(p.Id, "user_authentication_password_profile_info",
        p.Username, p.PasswordProfileId, new FlatTimestamps(ApiJson.Timestamp(p.CreatedAt), ApiJson.Timestamp(p.UpdatedAt)),
        ApiLinks.Self(request, $"/v2/authentication-realms/{realmId}/user-authentication-info/{p.MemberId}/user-authentication-password-profile-info/{p.Id}"));

    private static async Task<IResult> PasswordsAsync(Guid realmId, Guid userId, HttpRequest request, ClaimsPrincipal user, RealmService realms,
        AccountMemberService members, CancellationToken ct)
    {
        await RequireAccountRealmAsync(realmId, realms, ct);
        return await members.PasswordsAsync(user, userId, ct) is { } list
            ? TypedResults.Json(ApiPaging.All(request, list.Select(p => PasswordInfo(request, realmId, p)).ToList()))
            : ApiErrors.Result(404, "Not Found", "user authentication info not found");
    }

    private static async Task<IResult> PasswordAsync(Guid realmId, Guid userId, Guid id, HttpRequest request, ClaimsPrincipal user, RealmService realms,
        AccountMemberService members, CancellationToken ct)
    {
        await RequireAccountRealmAsync(realmId, realms, ct);
        return await members.PasswordAsync(user, userId, id, ct) is { } p
            ? TypedResults.Json(new PasswordInfoResponse(PasswordInfo(request, realmId, p), ApiLinks.Self(request, request.Path.ToString())))
            : ApiErrors.Result(404, "Not Found", "user authentication password profile info not found");
    }

    private static async Task<IResult> CreatePasswordAsync(Guid realmId, Guid userId, ApiBody<PasswordInfoData> body, HttpRequest request, ClaimsPrincipal user,
        RealmService realms, AccountMemberService members, CancellationToken ct)
    {
        await RequireAccountRealmAsync(realmId, realms, ct);
        var d = body.Data;
        var outcome = await members.CreatePasswordAsync(user, userId, new MemberPasswordInput(ProfileId(d.PasswordProfileId.Value ?? ""), d.Username.Value ?? "", d.Password.Value), ct);
        return outcome.IsOk
            ? TypedResults.Json(new PasswordInfoResponse(PasswordInfo(request, realmId, outcome.Value!), ApiLinks.Self(request, $"{request.Path}/{outcome.Value!.Id}")), statusCode: 201)
            : outcome.Kind == Common.OutcomeKind.NotFound ? ApiErrors.Result(404, "Not Found", "user authentication info not found")
            : ApiErrors.Failure(outcome, "This username");
    }

    private static async Task<IResult> UpdatePasswordAsync(Guid realmId, Guid userId, Guid id, ApiBody<PasswordInfoData> body, HttpRequest request,
        ClaimsPrincipal user, RealmService realms, AccountMemberService members, CancellationToken ct)
    {
        await RequireAccountRealmAsync(realmId, realms, ct);
        var current = await members.PasswordAsync(user, userId, id, ct);
        if (current is null)
        {
            return ApiErrors.Result(404, "Not Found", "user authentication password profile info not found");
        }
        var d = body.Data;
        var outcome = await members.UpdatePasswordAsync(user, userId, id, new MemberPasswordInput(
            d.PasswordProfileId.Value is { Length: > 0 } profile ? ProfileId(profile) : current.PasswordProfileId,
            d.Username.Value ?? current.Username, d.Password.Value), ct);
        return outcome.IsOk
            ? TypedResults.Json(new PasswordInfoResponse(PasswordInfo(request, realmId, outcome.Value!), ApiLinks.Self(request, request.Path.ToString())))
            : outcome.Kind == Common.OutcomeKind.NotFound ? ApiErrors.Result(404, "Not Found", "user authentication password profile info not found")
            : ApiErrors.Failure(outcome, "This username");
    }

    private static async Task<IResult> DeletePasswordAsync(Guid realmId, Guid userId, Guid id, ClaimsPrincipal user, RealmService realms, AccountMemberService members,
        CancellationToken ct)
    {
        await RequireAccountRealmAsync(realmId, realms, ct);
        return await members.DeletePasswordAsync(user, userId, id, ct)
            ? TypedResults.NoContent()
            : ApiErrors.Result(404, "Not Found", "user authentication password profile info not found");
    }
}

public sealed record AccountTokenData : IRequestData
{
    public static string? ResourceType => AccountMembersApi.TokenType;
    public static int FailureStatus => 400;

    public Optional<string> AuthenticationMechanism { get; init; }
    public Optional<string> PasswordProfileId { get; init; }
    public Optional<string> Username { get; init; }
    public Optional<string> Password { get; init; }
    public Optional<string> Name { get; init; }
    public Optional<string> Email { get; init; }
    public Optional<string> OauthAuthorizationCode { get; init; }
    public Optional<string> OauthRedirectUri { get; init; }
    public Optional<string> OauthCodeVerifier { get; init; }
    /// <summary>Ours: which of the realm's profiles issued a provider's own code (the direct mode), when several could have.</summary>
    public Optional<string> OidcProfileId { get; init; }
    public Optional<string> OneTimePasswordToken { get; init; }
}

public sealed record OneTimePasswordRequestData : IRequestData
{
    public static string? ResourceType => "one_time_password_token_request";
    public static int FailureStatus => 400;
    /// <summary>EP's generated shopper SDK sends this body without the data wrapper; its js-sdk with it.</summary>
    public static bool AcceptsBare => true;

    public Optional<string> Username { get; init; }
    public Optional<string> Purpose { get; init; }
}

public sealed record AccountTokenResource(string Type, Guid AccountId, string AccountName, string Token, string Expires);

public sealed record AccountTokensMeta(Guid AccountMemberId, PageMeta Page, ResultsMeta Results);

public sealed record AccountTokensResponse(IReadOnlyList<AccountTokenResource> Data, PageLinks Links, AccountTokensMeta Meta);

public sealed record AccountMemberResource(Guid Id, string Type, string Name, string Email, TimestampsMeta Meta, SelfLink Links);

public sealed record AccountMemberResponse(AccountMemberResource Data, SelfLink Links);

public sealed record MembershipsWithAccountsResponse(IReadOnlyList<MembershipResource> Data, PageLinks Links, ListMeta Meta, IncludedAccounts Included);

public sealed record IncludedAccounts(IReadOnlyList<IncludedAccount> Accounts);

public sealed record IncludedAccount(Guid Id, string Type, string Name, string? LegalName, string? RegistrationId);

public sealed record AccountSettingsData : IRequestData
{
    public static string? ResourceType => "account_authentication_settings";
    public static int FailureStatus => 400;

    public Optional<bool?> EnableSelfSignup { get; init; }
    public Optional<bool?> AutoCreateAccountForAccountMembers { get; init; }
    public Optional<string> AccountMemberSelfManagement { get; init; }
    public Optional<long?> AccountManagementAuthenticationTokenTimeoutSecs { get; init; }
}

public sealed record AccountSettingsResource(Guid Id, string Type, bool EnableSelfSignup, bool AutoCreateAccountForAccountMembers,
    string AccountMemberSelfManagement, int AccountManagementAuthenticationTokenTimeoutSecs, AccountSettingsRelationships Relationships, ClientIdMeta Meta);

/// <summary>EP spells this one <c>authentication_realm</c>, with an underscore (the customer settings use a hyphen).</summary>
public sealed record AccountSettingsRelationships(RealmLinkRelationship AuthenticationRealm);

public sealed record AccountSettingsResponse(AccountSettingsResource Data, SelfLink Links);

public sealed record MembershipSettingsData : IRequestData
{
    public static string? ResourceType => "account_membership_setting";
    public static int FailureStatus => 400;

    public Optional<long?> MembershipLimit { get; init; }
}

public sealed record MembershipSettingsResource(string Type, int MembershipLimit);

/// <summary>The flat <c>meta</c> EP's sign-in objects have (no <c>timestamps</c> level).</summary>
public sealed record FlatTimestamps(string CreatedAt, string UpdatedAt);

public sealed record PasswordProfileData : IRequestData
{
    public static string? ResourceType => "password_profile";
    public static int FailureStatus => 400;

    public Optional<string> Name { get; init; }
    public Optional<string> UsernameFormat { get; init; }
    public Optional<bool?> EnableOneTimePasswordToken { get; init; }
}

public sealed record PasswordProfileResource(Guid Id, string Type, string Name, string UsernameFormat, bool EnableOneTimePasswordToken, FlatTimestamps Meta, SelfLink Links);

public sealed record PasswordProfileResponse(PasswordProfileResource Data, SelfLink Links);

public sealed record UserAuthenticationInfoData : IRequestData
{
    public static string? ResourceType => "user_authentication_info";
    public static int FailureStatus => 400;

    public Optional<string> Name { get; init; }
    public Optional<string> Email { get; init; }
}

public sealed record UserInfoMeta(string CreatedAt, string UpdatedAt, string CreationStatus);

public sealed record UserAuthenticationInfoResource(Guid Id, string Type, string Name, string Email, UserInfoMeta Meta, SelfLink Links);

public sealed record UserAuthenticationInfoResponse(UserAuthenticationInfoResource Data, SelfLink Links);

public sealed record PasswordInfoData : IRequestData
{
    public static string? ResourceType => "user_authentication_password_profile_info";
    public static int FailureStatus => 400;

    public Optional<string> PasswordProfileId { get; init; }
    public Optional<string> Username { get; init; }
    public Optional<string> Password { get; init; }
}

public sealed record PasswordInfoResource(Guid Id, string Type, string Username, Guid PasswordProfileId, FlatTimestamps Meta, SelfLink Links);

public sealed record PasswordInfoResponse(PasswordInfoResource Data, SelfLink Links);
