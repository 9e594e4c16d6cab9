using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace CommerceManager.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class AccountManagement : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<Guid>(
                name: "AccountId",
                table: "Orders",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<Guid>(
                name: "AccountMemberId",
                table: "Orders",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "Realm",
                table: "OidcProfiles",
                type: "TEXT",
                maxLength: 16,
                nullable: false,
                defaultValue: "Customers");

            migrationBuilder.AddColumn<string>(
                name: "Realm",
                table: "OidcLoginRequests",
                type: "TEXT",
                maxLength: 16,
                nullable: false,
                defaultValue: "Customers");

            migrationBuilder.AddColumn<string>(
                name: "Realm",
                table: "OidcIssuedCodes",
                type: "TEXT",
                maxLength: 16,
                nullable: false,
                defaultValue: "Customers");

            migrationBuilder.AddColumn<Guid>(
                name: "AccountId",
                table: "Carts",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "Description",
                table: "Carts",
                type: "TEXT",
                maxLength: 1000,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "Name",
                table: "Carts",
                type: "TEXT",
                maxLength: 255,
                nullable: true);

            migrationBuilder.CreateTable(
                name: "AccountMembers",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    Name = table.Column<string>(type: "TEXT", maxLength: 255, nullable: false),
                    NormalizedName = table.Column<string>(type: "TEXT", maxLength: 255, nullable: false),
                    Email = table.Column<string>(type: "TEXT", maxLength: 254, nullable: false),
                    NormalizedEmail = table.Column<string>(type: "TEXT", maxLength: 254, nullable: false),
                    CreatedAt = table.Column<DateTime>(type: "TEXT", nullable: false),
                    UpdatedAt = table.Column<DateTime>(type: "TEXT", nullable: false),
                    Version = table.Column<Guid>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_AccountMembers", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "Accounts",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    Name = table.Column<string>(type: "TEXT", maxLength: 255, nullable: false),
                    NormalizedName = table.Column<string>(type: "TEXT", maxLength: 255, nullable: false),
                    LegalName = table.Column<string>(type: "TEXT", maxLength: 255, nullable: true),
                    NormalizedLegalName = table.Column<string>(type: "TEXT", maxLength: 255, nullable: true),
                    RegistrationId = table.Column<string>(type: "TEXT", maxLength: 63, nullable: true),
                    ExternalRef = table.Column<string>(type: "TEXT", maxLength: 2048, nullable: true),
                    ParentId = table.Column<Guid>(type: "TEXT", nullable: true),
                    CreatedAt = table.Column<DateTime>(type: "TEXT", nullable: false),
                    UpdatedAt = table.Column<DateTime>(type: "TEXT", nullable: false),
                    Version = table.Column<Guid>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_Accounts", x => x.Id);
                    table.ForeignKey(
                        name: "FK_Accounts_Accounts_ParentId",
                        column: x => x.ParentId,
                        principalTable: "Accounts",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateTable(
                name: "AccountTags",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    Name = table.Column<string>(type: "TEXT", maxLength: 255, nullable: false),
                    NormalizedName = table.Column<string>(type: "TEXT", maxLength: 255, nullable: false),
                    Description = table.Column<string>(type: "TEXT", maxLength: 1000, nullable: true),
                    CreatedAt = table.Column<DateTime>(type: "TEXT", nullable: false),
                    UpdatedAt = table.Column<DateTime>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_AccountTags", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "PasswordProfiles",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    Name = table.Column<string>(type: "TEXT", maxLength: 255, nullable: false),
                    UsernameFormat = table.Column<string>(type: "TEXT", maxLength: 8, nullable: false),
                    EnableOneTimePasswordToken = table.Column<bool>(type: "INTEGER", nullable: false),
                    CreatedAt = table.Column<DateTime>(type: "TEXT", nullable: false),
                    UpdatedAt = table.Column<DateTime>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_PasswordProfiles", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "AccountMemberLogins",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    MemberId = table.Column<Guid>(type: "TEXT", nullable: false),
                    ProfileId = table.Column<Guid>(type: "TEXT", nullable: false),
                    Subject = table.Column<string>(type: "TEXT", maxLength: 255, nullable: false),
                    Email = table.Column<string>(type: "TEXT", maxLength: 254, nullable: true),
                    CreatedAt = table.Column<DateTime>(type: "TEXT", nullable: false),
                    LastSignInAt = table.Column<DateTime>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_AccountMemberLogins", x => x.Id);
                    table.ForeignKey(
                        name: "FK_AccountMemberLogins_AccountMembers_MemberId",
                        column: x => x.MemberId,
                        principalTable: "AccountMembers",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "FK_AccountMemberLogins_OidcProfiles_ProfileId",
                        column: x => x.ProfileId,
                        principalTable: "OidcProfiles",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "AccountAddresses",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    AccountId = table.Column<Guid>(type: "TEXT", nullable: false),
                    Name = table.Column<string>(type: "TEXT", maxLength: 255, nullable: true),
                    FirstName = table.Column<string>(type: "TEXT", maxLength: 255, nullable: false),
                    LastName = table.Column<string>(type: "TEXT", maxLength: 255, nullable: false),
                    CompanyName = table.Column<string>(type: "TEXT", maxLength: 255, nullable: true),
                    Line1 = table.Column<string>(type: "TEXT", maxLength: 255, nullable: false),
                    Line2 = table.Column<string>(type: "TEXT", maxLength: 255, nullable: true),
                    City = table.Column<string>(type: "TEXT", maxLength: 255, nullable: true),
                    Region = table.Column<string>(type: "TEXT", maxLength: 255, nullable: true),
                    Postcode = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    County = table.Column<string>(type: "TEXT", maxLength: 255, nullable: true),
                    Country = table.Column<string>(type: "TEXT", maxLength: 2, nullable: false),
                    PhoneNumber = table.Column<string>(type: "TEXT", maxLength: 32, nullable: true),
                    Instructions = table.Column<string>(type: "TEXT", maxLength: 1000, nullable: true),
                    CreatedAt = table.Column<DateTime>(type: "TEXT", nullable: false),
                    UpdatedAt = table.Column<DateTime>(type: "TEXT", nullable: false),
                    Version = table.Column<Guid>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_AccountAddresses", x => x.Id);
                    table.ForeignKey(
                        name: "FK_AccountAddresses_Accounts_AccountId",
                        column: x => x.AccountId,
                        principalTable: "Accounts",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "AccountMemberships",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    AccountId = table.Column<Guid>(type: "TEXT", nullable: false),
                    MemberId = table.Column<Guid>(type: "TEXT", nullable: false),
                    CreatedAt = table.Column<DateTime>(type: "TEXT", nullable: false),
                    UpdatedAt = table.Column<DateTime>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_AccountMemberships", x => x.Id);
                    table.ForeignKey(
                        name: "FK_AccountMemberships_AccountMembers_MemberId",
                        column: x => x.MemberId,
                        principalTable: "AccountMembers",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "FK_AccountMemberships_Accounts_AccountId",
                        column: x => x.AccountId,
                        principalTable: "Accounts",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "AccountMemberTokens",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    MemberId = table.Column<Guid>(type: "TEXT", nullable: false),
                    AccountId = table.Column<Guid>(type: "TEXT", nullable: false),
                    Mechanism = table.Column<string>(type: "TEXT", maxLength: 48, nullable: false),
                    CreatedAt = table.Column<DateTime>(type: "TEXT", nullable: false),
                    ExpiresAt = table.Column<DateTime>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_AccountMemberTokens", x => x.Id);
                    table.ForeignKey(
                        name: "FK_AccountMemberTokens_AccountMembers_MemberId",
                        column: x => x.MemberId,
                        principalTable: "AccountMembers",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "FK_AccountMemberTokens_Accounts_AccountId",
                        column: x => x.AccountId,
                        principalTable: "Accounts",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "AccountTagLinks",
                columns: table => new
                {
                    AccountId = table.Column<Guid>(type: "TEXT", nullable: false),
                    TagId = table.Column<Guid>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_AccountTagLinks", x => new { x.AccountId, x.TagId });
                    table.ForeignKey(
                        name: "FK_AccountTagLinks_AccountTags_TagId",
                        column: x => x.TagId,
                        principalTable: "AccountTags",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "FK_AccountTagLinks_Accounts_AccountId",
                        column: x => x.AccountId,
                        principalTable: "Accounts",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "MemberPasswords",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    MemberId = table.Column<Guid>(type: "TEXT", nullable: false),
                    PasswordProfileId = table.Column<Guid>(type: "TEXT", nullable: false),
                    Username = table.Column<string>(type: "TEXT", maxLength: 254, nullable: false),
                    NormalizedUsername = table.Column<string>(type: "TEXT", maxLength: 254, nullable: false),
                    PasswordHash = table.Column<string>(type: "TEXT", nullable: false),
                    CreatedAt = table.Column<DateTime>(type: "TEXT", nullable: false),
                    UpdatedAt = table.Column<DateTime>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_MemberPasswords", x => x.Id);
                    table.ForeignKey(
                        name: "FK_MemberPasswords_AccountMembers_MemberId",
                        column: x => x.MemberId,
                        principalTable: "AccountMembers",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "FK_MemberPasswords_PasswordProfiles_PasswordProfileId",
                        column: x => x.PasswordProfileId,
                        principalTable: "PasswordProfiles",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "IX_Orders_AccountId_CreatedAt_Id",
                table: "Orders",
                columns: new[] { "AccountId", "CreatedAt", "Id" },
                filter: "\"AccountId\" IS NOT NULL");

            migrationBuilder.CreateIndex(
                name: "IX_Orders_AccountMemberId_CreatedAt_Id",
                table: "Orders",
                columns: new[] { "AccountMemberId", "CreatedAt", "Id" },
                filter: "\"AccountMemberId\" IS NOT NULL");

            migrationBuilder.CreateIndex(
                name: "IX_Carts_AccountId_UpdatedAt",
                table: "Carts",
                columns: new[] { "AccountId", "UpdatedAt" },
                filter: "\"AccountId\" IS NOT NULL");

            migrationBuilder.CreateIndex(
                name: "IX_AccountAddresses_AccountId_CreatedAt",
                table: "AccountAddresses",
                columns: new[] { "AccountId", "CreatedAt" });

            migrationBuilder.CreateIndex(
                name: "IX_AccountMemberLogins_MemberId",
                table: "AccountMemberLogins",
                column: "MemberId");

            migrationBuilder.CreateIndex(
                name: "IX_AccountMemberLogins_ProfileId_Subject",
                table: "AccountMemberLogins",
                columns: new[] { "ProfileId", "Subject" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_AccountMembers_CreatedAt_Id",
                table: "AccountMembers",
                columns: new[] { "CreatedAt", "Id" });

            migrationBuilder.CreateIndex(
                name: "IX_AccountMembers_NormalizedEmail_Id",
                table: "AccountMembers",
                columns: new[] { "NormalizedEmail", "Id" });

            migrationBuilder.CreateIndex(
                name: "IX_AccountMembers_NormalizedName_Id",
                table: "AccountMembers",
                columns: new[] { "NormalizedName", "Id" });

            migrationBuilder.CreateIndex(
                name: "IX_AccountMemberships_AccountId_CreatedAt_Id",
                table: "AccountMemberships",
                columns: new[] { "AccountId", "CreatedAt", "Id" });

            migrationBuilder.CreateIndex(
                name: "IX_AccountMemberships_AccountId_MemberId",
                table: "AccountMemberships",
                columns: new[] { "AccountId", "MemberId" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_AccountMemberships_MemberId_CreatedAt",
                table: "AccountMemberships",
                columns: new[] { "MemberId", "CreatedAt" });

            migrationBuilder.CreateIndex(
                name: "IX_AccountMemberTokens_AccountId_MemberId",
                table: "AccountMemberTokens",
                columns: new[] { "AccountId", "MemberId" });

            migrationBuilder.CreateIndex(
                name: "IX_AccountMemberTokens_MemberId_ExpiresAt",
                table: "AccountMemberTokens",
                columns: new[] { "MemberId", "ExpiresAt" });

            migrationBuilder.CreateIndex(
                name: "IX_Accounts_CreatedAt_Id",
                table: "Accounts",
                columns: new[] { "CreatedAt", "Id" });

            migrationBuilder.CreateIndex(
                name: "IX_Accounts_ExternalRef",
                table: "Accounts",
                column: "ExternalRef",
                filter: "\"ExternalRef\" IS NOT NULL");

            migrationBuilder.CreateIndex(
                name: "IX_Accounts_NormalizedLegalName_Id",
                table: "Accounts",
                columns: new[] { "NormalizedLegalName", "Id" });

            migrationBuilder.CreateIndex(
                name: "IX_Accounts_NormalizedName_Id",
                table: "Accounts",
                columns: new[] { "NormalizedName", "Id" });

            migrationBuilder.CreateIndex(
                name: "IX_Accounts_ParentId_CreatedAt_Id",
                table: "Accounts",
                columns: new[] { "ParentId", "CreatedAt", "Id" });

            migrationBuilder.CreateIndex(
                name: "IX_Accounts_RegistrationId",
                table: "Accounts",
                column: "RegistrationId",
                unique: true,
                filter: "\"RegistrationId\" IS NOT NULL");

            migrationBuilder.CreateIndex(
                name: "IX_Accounts_UpdatedAt_Id",
                table: "Accounts",
                columns: new[] { "UpdatedAt", "Id" });

            migrationBuilder.CreateIndex(
                name: "IX_AccountTagLinks_TagId_AccountId",
                table: "AccountTagLinks",
                columns: new[] { "TagId", "AccountId" });

            migrationBuilder.CreateIndex(
                name: "IX_AccountTags_CreatedAt_Id",
                table: "AccountTags",
                columns: new[] { "CreatedAt", "Id" });

            migrationBuilder.CreateIndex(
                name: "IX_AccountTags_NormalizedName",
                table: "AccountTags",
                column: "NormalizedName",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_MemberPasswords_MemberId_PasswordProfileId",
                table: "MemberPasswords",
                columns: new[] { "MemberId", "PasswordProfileId" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_MemberPasswords_PasswordProfileId_NormalizedUsername",
                table: "MemberPasswords",
                columns: new[] { "PasswordProfileId", "NormalizedUsername" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_PasswordProfiles_CreatedAt",
                table: "PasswordProfiles",
                column: "CreatedAt");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "AccountAddresses");

            migrationBuilder.DropTable(
                name: "AccountMemberLogins");

            migrationBuilder.DropTable(
                name: "AccountMemberships");

            migrationBuilder.DropTable(
                name: "AccountMemberTokens");

            migrationBuilder.DropTable(
                name: "AccountTagLinks");

            migrationBuilder.DropTable(
                name: "MemberPasswords");

            migrationBuilder.DropTable(
                name: "AccountTags");

            migrationBuilder.DropTable(
                name: "Accounts");

            migrationBuilder.DropTable(
                name: "AccountMembers");

            migrationBuilder.DropTable(
                name: "PasswordProfiles");

            migrationBuilder.DropIndex(
                name: "IX_Orders_AccountId_CreatedAt_Id",
                table: "Orders");

            migrationBuilder.DropIndex(
                name: "IX_Orders_AccountMemberId_CreatedAt_Id",
                table: "Orders");

            migrationBuilder.DropIndex(
                name: "IX_Carts_AccountId_UpdatedAt",
                table: "Carts");

            migrationBuilder.DropColumn(
                name: "AccountId",
                table: "Orders");

            migrationBuilder.DropColumn(
                name: "AccountMemberId",
                table: "Orders");

            migrationBuilder.DropColumn(
                name: "Realm",
                table: "OidcProfiles");

            migrationBuilder.DropColumn(
                name: "Realm",
                table: "OidcLoginRequests");

            migrationBuilder.DropColumn(
                name: "Realm",
                table: "OidcIssuedCodes");

            migrationBuilder.DropColumn(
                name: "AccountId",
                table: "Carts");

            migrationBuilder.DropColumn(
                name: "Description",
                table: "Carts");

            migrationBuilder.DropColumn(
                name: "Name",
                table: "Carts");
        }
    }
}
