// `cellkiosk train`: trains the nuclear model (see train/trainer.h).
#include <cstdio>
#include <filesystem>

#include "cli/commands.h"
#include "cli/validators.h"
#include "train/trainer.h"

namespace ck::cli {

Runner add_train(CLI::App& app) {
  auto o = std::make_shared<TrainOptions>();
  auto argv_line = std::make_shared<std::string>();
  app.add_option("--data", o->data_dir, "Data set folder with images/, masks/ and splits/train.txt (DSB layout)")
      ->required()->check(CLI::ExistingDirectory);
  app.add_option("-o,--out", o->out_dir, "Run folder: checkpoints, log.tsv, best/ model")->capture_default_str();
  app.add_option("--steps", o->steps, "Optimizer steps in total")->capture_default_str()->check(positive());
  app.add_option("--batch", o->batch, "Crops per step")->capture_default_str()->check(positive());
  app.add_option("--crop", o->augment.crop, "Crop size, px (multiple of 16, >= 32)")
      ->capture_default_str()
      ->check(number_check([](double v) { return v >= 32 && v == static_cast<int>(v) && static_cast<int>(v) % 16 == 0; },
                           "must be a multiple of 16 >= 32", "PX"));
  app.add_option("--lr", o->lr, "Peak learning rate (Adam, cosine decay)")->capture_default_str()->check(positive());
  app.add_option("--val-every", o->val_every, "Steps between validation + checkpoint")
      ->capture_default_str()->check(positive());
  app.add_option("--val-fraction", o->val_fraction, "Share of the train split held out for validation (0 < f < 0.9)")
      ->capture_default_str()
      ->check(number_check([](double v) { return v > 0 && v < 0.9; }, "must be in (0, 0.9)", "(0,0.9)"));
  app.add_option("--max-train-images", o->max_train_images, "Use at most N training images (0 = all)");
  app.add_option("--max-val-images", o->max_val_images, "Use at most N validation images (0 = all)");
  app.add_option("--widths", o->widths, "Channels per network level (level k at 1/2^k resolution)")
      ->capture_default_str();
  app.add_option("--seed", o->seed, "Random seed (split, init, augmentation)")->capture_default_str();
  app.add_option("--threads", o->threads, "LibTorch threads (0 = all cores)")->capture_default_str();
  app.add_option("--name", o->name, "Model name written in the model card")->capture_default_str();
  app.add_option("--model-version", o->version, "Model version written in the model card")->capture_default_str();
  app.add_option("--init", o->init_weights, "Start from these weights (fine-tune), e.g. models/nuclear/weights.pt")
      ->check(CLI::ExistingFile);
  app.add_option("--ema", o->ema_decay, "Average the weights with this decay per step (e.g. 0.999); 0 = off")
      ->capture_default_str()
      ->check(number_check([](double v) { return v >= 0 && v < 1; }, "must be in [0, 1)", "[0,1)"));
  app.add_option("--warmup", o->warmup, "Linear warm-up steps before the cosine decay")->capture_default_str();
  app.add_option("--blank-fraction", o->augment.blank_fraction,
                 "Share of crops that are background only (camera noise, normalized as at inference)")
      ->capture_default_str()
      ->check(number_check([](double v) { return v >= 0 && v <= 0.5; }, "must be in [0, 0.5]", "[0,0.5]"));
  app.add_option("--border-weight", o->augment.border_weight,
                 "Extra loss weight on the seams between touching nuclei (U-Net border weights; 0 = off)")
      ->capture_default_str()
      ->check(number_check([](double v) { return v >= 0 && v <= 100; }, "must be in [0, 100]", "W"));
  app.add_flag("--resume", o->resume, "Continue from OUT/last.pt if it exists");
  return [o, &app] {
    o->command_line = "cellkiosk train --data " + o->data_dir + " -o " + o->out_dir + " --steps " +
                      std::to_string(o->steps) + " --batch " + std::to_string(o->batch) + " --crop " +
                      std::to_string(o->augment.crop) + " --lr " + std::to_string(o->lr) + " --seed " +
                      std::to_string(o->seed) +
                      (o->init_weights.empty() ? "" : " --init " + o->init_weights) +
                      (o->ema_decay > 0 ? " --ema " + std::to_string(o->ema_decay) : "") +
                      (o->augment.blank_fraction > 0 ? " --blank-fraction " + std::to_string(o->augment.blank_fraction) : "") +
                      (o->augment.border_weight > 0 ? " --border-weight " + std::to_string(o->augment.border_weight) : "");
    const TrainResult r = train_model(*o);
    std::printf("trained %d steps; best validation F1@0.5 = %.4f at step %d; model in %s\n", r.steps_done,
                r.best_val_f1, r.best_step, r.best_dir.c_str());
    return 0;
  };
}

}  // namespace ck::cli
