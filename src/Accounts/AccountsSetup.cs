using CommerceManager.Common;
using CommerceManager.CustomFields;
using CommerceManager.Data;
using CommerceManager.History;
using FluentValidation;
using Microsoft.AspNetCore.Identity;

namespace CommerceManager.Accounts;

public static class AccountsSetup
{
    public static IServiceCollection AddAccounts(this IServiceCollection services, IConfiguration config)
    {
        services.AddStore<IAccountStore, SqliteAccountStore, PostgresAccountStore>(config);
        services.AddSingleton<IValidator<AccountInput>, AccountInputValidator>();
        services.AddSingleton<IValidator<AccountMemberInput>, AccountMemberInputValidator>();
        services.AddSingleton<AccountAddressValidator>();
        services.AddSingleton<IPasswordHasher<AccountMember>, PasswordHasher<AccountMember>>();
        services.AddSingleton<AccountSettingsService>();
        services.AddSingleton<AccountService>();
        services.AddSingleton<AccountMemberService>();
        services.AddSingleton<MembershipService>();
        services.AddSingleton<AccountAddressService>();
        services.AddSingleton<AccountTagService>();
        services.AddSingleton<AccountTokenService>();
        services.AddSingleton<OneTimePasswords>();
        services.AddSingleton<Exports.IExportSource, AccountExportSource>();
        services.AddSingleton<Exports.IExportSource, MemberExportSource>();
        services.AddHousekeeping("one-time passwords past their ten minutes deleted", (sp, ct) => sp.GetRequiredService<OneTimePasswords>().ForgetExpiredAsync(ct));
        services.AddSingleton<CustomerSignIn.IRealmMembers, AccountMemberSignIn>();
        services.AddCustomValueHost(Flow.Accounts, ShopperAccount.Table);
        // The large-scale seed drops these tables' non-unique indexes while it fills them and builds them once at the end.
        services.AddBulkLoadedTables(ShopperAccount.Table, "AccountMembers", "AccountMemberships", "MemberPasswords", "AccountAddresses");

        // An account's timeline: its fields, its addresses and who joins or leaves it. A member's: its details and
        // its sign-in (usernames; passwords only as set / replaced / removed).
        foreach (var (key, label) in AccountSettingsService.RecordedSettings)
        {
            services.AddRecordedSetting(key, label);
        }
        services.AddHistoryRule(HistoryRule.For<ShopperAccount>("account", ChangeKinds.Account, a => a.Id, a => a.Id, a => a.Name)
            .Field(nameof(ShopperAccount.Name), "name").Field(nameof(ShopperAccount.LegalName), "legal_name")
            .Field(nameof(ShopperAccount.RegistrationId), "registration_id").Field(nameof(ShopperAccount.ExternalRef), "external_ref")
            .Field(nameof(ShopperAccount.ParentId), "parent_id").WithCustomValues(nameof(ShopperAccount.CustomData)));
        services.AddHistoryRule(HistoryRule.For<AccountAddress>("account-address", ChangeKinds.Address, a => a.Id, a => a.AccountId,
                a => a.Name is { Length: > 0 } label ? label : $"{a.Postal.FirstName} {a.Postal.LastName}, {a.Postal.Line1}".Trim())
            .Field(nameof(AccountAddress.Name), "name")
            .Field("Postal.FirstName", "first_name").Field("Postal.LastName", "last_name").Field("Postal.CompanyName", "company_name")
            .Field("Postal.Line1", "line_1").Field("Postal.Line2", "line_2").Field("Postal.City", "city").Field("Postal.Region", "region")
            .Field("Postal.County", "county").Field("Postal.Postcode", "postcode").Field("Postal.Country", "country")
            .Field("Postal.PhoneNumber", "phone_number").Field("Postal.Instructions", "instructions"));
        services.AddHistoryRule(HistoryRule.For<AccountMembership>("account-membership", ChangeKinds.Account, m => m.Id, m => m.AccountId,
                m => m.MemberId.ToString())
            .Field(nameof(AccountMembership.MemberId), "account_member_id"));
        services.AddHistoryRule(HistoryRule.For<AccountMember>("account-member", ChangeKinds.Member, m => m.Id, m => m.Id, m => m.Name)
            .Field(nameof(AccountMember.Name), "name").Field(nameof(AccountMember.Email), "email"));
        services.AddHistoryRule(HistoryRule.For<MemberPassword>("user-authentication-password-profile-info", ChangeKinds.SignIn, p => p.Id, p => p.MemberId,
                p => p.Username)
            .Field(nameof(MemberPassword.Username), "username").Field(nameof(MemberPassword.PasswordProfileId), "password_profile_id")
            .WithPassword(nameof(MemberPassword.PasswordHash)));
        services.AddHistoryRule(HistoryRule.For<AccountMemberLogin>("user-authentication-oidc-profile-info", ChangeKinds.SignIn, l => l.Id, l => l.MemberId,
                l => l.Email)
            .Field(nameof(AccountMemberLogin.ProfileId), "oidc_profile_id").Field(nameof(AccountMemberLogin.Subject), "subject")
            .Field(nameof(AccountMemberLogin.Email), "email"));
        return services;
    }
}
