using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace CommerceManager.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class AccountMoves : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "AccountMoveJobs",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    PasswordProfileId = table.Column<Guid>(type: "TEXT", nullable: false),
                    Selected = table.Column<int>(type: "INTEGER", nullable: false),
                    Done = table.Column<int>(type: "INTEGER", nullable: false),
                    Skipped = table.Column<int>(type: "INTEGER", nullable: false),
                    SkippedWhy = table.Column<string>(type: "TEXT", maxLength: 1000, nullable: true),
                    StartedAt = table.Column<DateTime>(type: "TEXT", nullable: false),
                    FinishedAt = table.Column<DateTime>(type: "TEXT", nullable: true),
                    By = table.Column<string>(type: "TEXT", maxLength: 256, nullable: false),
                    UndoUntil = table.Column<DateTime>(type: "TEXT", nullable: false),
                    UndoneAt = table.Column<DateTime>(type: "TEXT", nullable: true),
                    UndoneBy = table.Column<string>(type: "TEXT", maxLength: 256, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_AccountMoveJobs", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "AccountMoveItems",
                columns: table => new
                {
                    JobId = table.Column<Guid>(type: "TEXT", nullable: false),
                    CustomerId = table.Column<Guid>(type: "TEXT", nullable: false),
                    AccountId = table.Column<Guid>(type: "TEXT", nullable: false),
                    MemberId = table.Column<Guid>(type: "TEXT", nullable: false),
                    MemberCreated = table.Column<bool>(type: "INTEGER", nullable: false),
                    PasswordId = table.Column<Guid>(type: "TEXT", nullable: true),
                    Moved = table.Column<string>(type: "TEXT", nullable: false),
                    Undone = table.Column<bool>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_AccountMoveItems", x => new { x.JobId, x.CustomerId });
                    table.ForeignKey(
                        name: "FK_AccountMoveItems_AccountMoveJobs_JobId",
                        column: x => x.JobId,
                        principalTable: "AccountMoveJobs",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "IX_AccountMoveItems_CustomerId_Moved",
                table: "AccountMoveItems",
                column: "CustomerId",
                unique: true,
                filter: "NOT \"Undone\"");

            migrationBuilder.CreateIndex(
                name: "IX_AccountMoveJobs_StartedAt",
                table: "AccountMoveJobs",
                column: "StartedAt");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "AccountMoveItems");

            migrationBuilder.DropTable(
                name: "AccountMoveJobs");
        }
    }
}
