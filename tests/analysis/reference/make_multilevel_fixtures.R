# Reference values for Spindeln's agreement and ICC figures, computed with R's multilevel package
# (Bliese), version 2.7 as Debian ships it (r-cran-multilevel). The tests read the CSV files this
# writes; CI does not need R. To make them again:
#
#   Rscript tests/analysis/reference/make_multilevel_fixtures.R tests/analysis/reference
#
# ratings.csv: groups of 2 to 30 people rating three items on 1..10, some with "cannot assess" (NA);
# groups.csv: per group and item rwg, r*wg (1 - var/ranvar, untruncated), AD_M, a_wg;
# per group r*wg(J) over the three items (rwg.j.lindell, complete rows); icc.csv: ICC(1), ICC(2) per item.
suppressMessages(library(multilevel))
args <- commandArgs(trailingOnly = TRUE)
folder <- if (length(args)) args[1] else "."
set.seed(20031)
rows <- list()
for (g in 1:40) {
  size <- sample(c(2:12, 15, 20, 30), 1)
  centre <- sample(2:9, 1)
  spread <- sample(c(0.5, 1.5, 3, 6), 1)
  items <- sapply(1:3, function(i) pmin(10, pmax(1, round(rnorm(size, centre + (i - 2) * 0.5, spread)))))
  items <- matrix(items, nrow = size)
  if (g %% 4 == 0) items[sample(size, 1), sample(3, 1)] <- NA
  rows[[g]] <- data.frame(group = g, q1 = items[, 1], q2 = items[, 2], q3 = items[, 3])
}
ratings <- do.call(rbind, rows)
write.csv(ratings, file.path(folder, "ratings.csv"), row.names = FALSE, na = "")
ranvar <- (10^2 - 1) / 12
out <- data.frame(group = unique(ratings$group))
for (item in c("q1", "q2", "q3")) {
  r <- rwg(ratings[[item]], ratings$group, ranvar = ranvar)
  # r*wg of one item, untruncated (rwg.j.lindell takes two or more items).
  l <- aggregate(ratings[[item]], list(grpid = ratings$group),
                 function(x) { x <- x[!is.na(x)]; if (length(x) > 1) 1 - var(x) / ranvar else NA })
  a <- ad.m(ratings[[item]], ratings$group)
  w <- awg(ratings[[item]], ratings$group, range = c(1, 10))
  out[[paste0("rwg_", item)]] <- r$rwg[match(out$group, r$grpid)]
  out[[paste0("rwgstar_", item)]] <- l$x[match(out$group, l$grpid)]
  out[[paste0("adm_", item)]] <- a$AD.M[match(out$group, a$grpid)]
  out[[paste0("awg_", item)]] <- w$a.wg[match(out$group, w$grpid)]
}
complete <- ratings[complete.cases(ratings), ]
lj <- rwg.j.lindell(complete[, c("q1", "q2", "q3")], complete$group, ranvar = ranvar)
out$rwgjstar <- lj$rwg.lindell[match(out$group, lj$grpid)]
write.csv(out, file.path(folder, "groups.csv"), row.names = FALSE, na = "")
icc <- data.frame(item = c("q1", "q2", "q3"), icc1 = NA, icc2 = NA)
for (k in 1:3) {
  item <- icc$item[k]
  model <- aov(ratings[[item]] ~ as.factor(ratings$group))
  icc$icc1[k] <- ICC1(model)
  icc$icc2[k] <- ICC2(model)
}
write.csv(icc, file.path(folder, "icc.csv"), row.names = FALSE)
