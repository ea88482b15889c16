ALTER TYPE "public"."account_state" ADD VALUE 'missing';--> statement-breakpoint
ALTER TABLE "accounts" ADD COLUMN "video_models" jsonb;--> statement-breakpoint
ALTER TABLE "accounts" ADD COLUMN "denied_models" jsonb DEFAULT '{}'::jsonb NOT NULL;--> statement-breakpoint
ALTER TABLE "jobs" ADD COLUMN "credits" integer;